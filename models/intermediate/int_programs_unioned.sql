-- Every program of every agency, one row per agency program code, from the monthly catalog
-- snapshots: its current name and type, the months it was offered, and how many names it has
-- carried (programs are renamed over time).
with

staged_programs as (
    {{ cts_union_staged('programs') }}
),

current_rows as (
    select * from staged_programs
    where is_latest_revision and agency_program_code is not null
),

versions_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'agency_program_code']) }} as version_rank
    from current_rows
),

offered_periods as (
    select
        agency_code,
        agency_program_code,
        min(reporting_period) as first_offered_period,
        max(reporting_period) as last_offered_period,
        count(distinct agency_program_name) as names_used
    from current_rows
    group by agency_code, agency_program_code
),

programs as (
    select
        versions_ranked.agency_code,
        versions_ranked.agency_program_code,
        versions_ranked.agency_program_name,
        versions_ranked.agency_program_type,
        versions_ranked.facility_code,
        offered_periods.first_offered_period,
        offered_periods.last_offered_period,
        offered_periods.names_used
    from versions_ranked
    inner join offered_periods
        on
            versions_ranked.agency_code = offered_periods.agency_code
            and versions_ranked.agency_program_code = offered_periods.agency_program_code
    where versions_ranked.version_rank = 1
)

select * from programs
