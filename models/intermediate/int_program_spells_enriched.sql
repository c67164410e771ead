-- Publishable program spells with everything the marts report by: the person key across
-- agencies, the canonical program and category, the custody status of the stay the spell
-- started in, and sex, race-ethnicity and age group at the start.
with

spells as (
    select * from {{ ref('int_program_spells_checked') }}
    where is_publishable
),

persons as (
    select * from {{ ref('int_persons_linked') }}
),

stays as (
    select * from {{ ref('int_stays_unioned') }}
),

programs as (
    select * from {{ ref('int_programs_mapped') }}
),

exit_reasons as (
    select * from {{ ref('exit_reasons') }}
),

age_groups as (
    select * from {{ ref('age_groups') }}
),

stays_by_id as (
    select
        spells.agency_code,
        spells.spell_id,
        stays.custody_status_code,
        stays.facility_code,
        stays.admission_date,
        0 as match_priority
    from spells
    inner join stays
        on
            spells.agency_code = stays.agency_code
            and spells.stay_id = stays.stay_id
),

stays_by_person_and_date as (
    select
        spells.agency_code,
        spells.spell_id,
        stays.custody_status_code,
        stays.facility_code,
        stays.admission_date,
        1 as match_priority
    from spells
    inner join stays
        on
            spells.agency_code = stays.agency_code
            and spells.agency_person_id = stays.agency_person_id
    where
        spells.start_date >= stays.admission_date
        and spells.start_date <= coalesce(stays.release_date, {{ cts_window_end() }})
),

stays_matched as (
    select
        *,
        row_number() over (
            partition by agency_code, spell_id
            order by match_priority asc, admission_date desc
        ) as stay_rank
    from (
        select * from stays_by_id
        union all
        select * from stays_by_person_and_date
    ) as candidate_stays
),

joined as (
    select
        spells.agency_code,
        spells.spell_id,
        spells.derived_from,
        spells.agency_person_id,
        coalesce(persons.person_id, {{ dbt.hash(dbt.concat([
            "spells.agency_code", "':'", "spells.agency_person_id"])) }}) as person_id,
        persons.person_id is not null as has_person_record,
        spells.agency_program_code,
        coalesce(programs.canonical_program_code, 'OTHER') as canonical_program_code,
        coalesce(programs.category_code, 'OTHER') as category_code,
        spells.start_date,
        spells.end_date,
        case
            when spells.end_date is null and spells.exit_reason_code is null then null
            else coalesce(spells.exit_reason_code, 'UNKNOWN')
        end as exit_reason_code,
        spells.exit_reason_raw,
        coalesce(stays_matched.custody_status_code, 'UNKNOWN') as custody_status_code,
        stays_matched.facility_code,
        coalesce(persons.sex_code, 'U') as sex_code,
        coalesce(persons.race_ethnicity_code, 'UNKNOWN') as race_ethnicity_code,
        {{ cts_age_at('persons.birth_date', 'spells.start_date') }} as age_at_start,
        spells.source_row_id
    from spells
    left join persons
        on
            spells.agency_code = persons.agency_code
            and spells.agency_person_id = persons.agency_person_id
    left join programs
        on
            spells.agency_code = programs.agency_code
            and spells.agency_program_code = programs.agency_program_code
    left join stays_matched
        on
            spells.agency_code = stays_matched.agency_code
            and spells.spell_id = stays_matched.spell_id
            and stays_matched.stay_rank = 1
),

classified as (
    select
        joined.*,
        coalesce(age_groups.age_group, 'UNKNOWN') as age_group,
        case
            when joined.exit_reason_code is null then 'ACTIVE'
            else exit_reasons.outcome_group
        end as outcome_group,
        cast(extract(year from joined.start_date) as integer) as start_calendar_year,
        {{ cts_fiscal_year('joined.start_date') }} as start_fiscal_year,
        cast(extract(year from joined.end_date) as integer) as end_calendar_year,
        {{ cts_fiscal_year('joined.end_date') }} as end_fiscal_year
    from joined
    left join age_groups
        on
            joined.age_at_start >= age_groups.min_age
            and joined.age_at_start <= age_groups.max_age
    left join exit_reasons
        on joined.exit_reason_code = exit_reasons.exit_reason_code
)

select * from classified
