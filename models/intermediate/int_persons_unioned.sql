-- One row per agency person record (DOC: per commitment): every agency's staged people,
-- latest revision of each month only, the newest version of each record winning.
with

staged_people as (
    {{ cts_union_staged('persons') }}
),

current_revisions as (
    select * from staged_people
    where is_latest_revision and agency_person_id is not null
),

versions_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'agency_person_id']) }} as version_rank
    from current_revisions
),

latest_versions as (
    select
        agency_code,
        agency_person_id,
        sid,
        pcf_number,
        last_name,
        first_name,
        middle_name,
        birth_date,
        sex_code,
        race_code,
        ethnicity_code,
        sex_raw,
        race_raw,
        ethnicity_raw,
        has_unknown_code,
        source_row_id,
        reporting_period
    from versions_ranked
    where version_rank = 1
)

select * from latest_versions
