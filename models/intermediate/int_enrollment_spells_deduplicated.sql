-- Program spells of the agencies that send one row per enrollment (DOC and the `enroll`
-- layout): an enrollment is sent at its start and again at its exit, and may be resent in a
-- correction or arrive late; the newest version wins, a closed one over an open one.
with

staged_enrollments as (
    {{ cts_union_staged('enrollments') }}
),

versions_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'enrollment_id'], 'end_date') }} as version_rank
    from staged_enrollments
    where is_latest_revision and enrollment_id is not null
),

spells as (
    select
        agency_code,
        {{ dbt.concat(["'E:'", "enrollment_id"]) }} as spell_id,
        'ENROLLMENT_ROWS' as derived_from,
        agency_person_id,
        stay_id,
        agency_program_code,
        start_date,
        end_date,
        exit_reason_code,
        coalesce(exit_reason_raw, exit_reason_code_raw) as exit_reason_raw,
        source_row_id
    from versions_ranked
    where version_rank = 1
)

select * from spells
