-- Custody stays of every agency: sheriffs' bookings and commitments (newest version of each,
-- a closed version winning over an open one) and DOC commitments derived from movements.
with

staged_stays as (
    {{ cts_union_staged('stays') }}
),

doc_stays as (
    select * from {{ ref('int_doc_stays_derived') }}
),

current_stays as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'stay_id'], 'release_date') }} as version_rank
    from staged_stays
    where is_latest_revision and stay_id is not null
),

sheriff_stays as (
    select
        agency_code,
        stay_id,
        agency_person_id,
        facility_code,
        sending_agency_code,
        admission_date,
        release_date,
        custody_status_code,
        custody_status_raw
    from current_stays
    where version_rank = 1
),

unioned as (
    {%- for relation in ['sheriff_stays', 'doc_stays'] %}
    select
        agency_code,
        stay_id,
        agency_person_id,
        facility_code,
        sending_agency_code,
        admission_date,
        release_date,
        custody_status_code,
        custody_status_raw
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
