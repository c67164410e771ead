-- DOC custody stays, one per commitment, derived from its movements: admitted at the first
-- admission movement, released at the last release movement on or after it. The custody
-- status is the legal status sent with the admission.
with

movements as (
    {{ cts_union_staged('movements') }}
),

current_movements as (
    select * from movements
    where is_latest_revision and agency_person_id is not null and movement_date is not null
),

admissions as (
    select
        agency_code,
        agency_person_id,
        movement_date,
        facility_code,
        custody_status_code,
        custody_status_raw,
        row_number() over (
            partition by agency_code, agency_person_id
            order by movement_date, source_line
        ) as admission_rank
    from current_movements
    where movement_code in ('ADM', 'PVA', 'TRI')
),

first_admissions as (
    select * from admissions
    where admission_rank = 1
),

releases as (
    select
        current_movements.agency_code,
        current_movements.agency_person_id,
        max(current_movements.movement_date) as release_date
    from current_movements
    inner join first_admissions
        on
            current_movements.agency_code = first_admissions.agency_code
            and current_movements.agency_person_id = first_admissions.agency_person_id
    where
        current_movements.movement_code in ('REL', 'PAR', 'CRT', 'DTH', 'ESC', 'TRO')
        and current_movements.movement_date >= first_admissions.movement_date
    group by current_movements.agency_code, current_movements.agency_person_id
),

stays as (
    select
        first_admissions.agency_code,
        first_admissions.agency_person_id as stay_id,
        first_admissions.agency_person_id,
        first_admissions.facility_code,
        cast(null as {{ dbt.type_string() }}) as sending_agency_code,
        first_admissions.movement_date as admission_date,
        releases.release_date,
        first_admissions.custody_status_code,
        first_admissions.custody_status_raw
    from first_admissions
    left join releases
        on
            first_admissions.agency_code = releases.agency_code
            and first_admissions.agency_person_id = releases.agency_person_id
)

select * from stays
