-- Program spells derived from session attendance (`attend` layout): attended sessions of one
-- person in one course form a spell until a gap of more than `attendance_gap_days`; an exit
-- record closes the latest spell that started on or before the exit date.
with

staged_attendance as (
    {{ cts_union_staged('attendance') }}
),

staged_exits as (
    {{ cts_union_staged('program_exits') }}
),

sessions_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'attendance_id']) }} as version_rank
    from staged_attendance
    where is_latest_revision and attendance_id is not null
),

attended_sessions as (
    select
        *,
        lag(session_date) over (
            partition by agency_code, agency_person_id, agency_program_code
            order by session_date, attendance_id
        ) as previous_session_date
    from sessions_ranked
    where
        version_rank = 1
        and is_attended
        and session_date is not null
        and agency_person_id is not null
        and agency_program_code is not null
),

sessions_numbered as (
    select
        *,
        sum(
            case
                when previous_session_date is null then 1
                when
                    {{ dbt.datediff('previous_session_date', 'session_date', 'day') }}
                    > {{ var('attendance_gap_days') }}
                    then 1
                else 0
            end
        ) over (
            partition by agency_code, agency_person_id, agency_program_code
            order by session_date, attendance_id
            rows between unbounded preceding and current row
        ) as spell_number
    from attended_sessions
),

attendance_spells as (
    select
        agency_code,
        agency_person_id,
        agency_program_code,
        spell_number,
        min(session_date) as start_date,
        max(session_date) as last_session_date,
        count(*) as sessions_attended,
        min(source_row_id) as source_row_id
    from sessions_numbered
    group by agency_code, agency_person_id, agency_program_code, spell_number
),

exits_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'exit_id']) }} as version_rank
    from staged_exits
    where is_latest_revision and exit_id is not null
),

current_exits as (
    select * from exits_ranked
    where version_rank = 1 and exit_date is not null
),

exits_matched as (
    select
        current_exits.agency_code,
        current_exits.agency_person_id,
        current_exits.agency_program_code,
        attendance_spells.spell_number,
        current_exits.exit_date,
        current_exits.exit_reason_code,
        coalesce(current_exits.exit_reason_raw, current_exits.exit_reason_code_raw)
            as exit_reason_raw,
        row_number() over (
            partition by current_exits.agency_code, current_exits.exit_id
            order by attendance_spells.start_date desc
        ) as spell_rank
    from current_exits
    inner join attendance_spells
        on
            current_exits.agency_code = attendance_spells.agency_code
            and current_exits.agency_person_id = attendance_spells.agency_person_id
            and current_exits.agency_program_code = attendance_spells.agency_program_code
            and current_exits.exit_date >= attendance_spells.start_date
),

first_exit_per_spell as (
    select
        *,
        row_number() over (
            partition by agency_code, agency_person_id, agency_program_code, spell_number
            order by exit_date
        ) as exit_rank
    from exits_matched
    where spell_rank = 1
),

spells as (
    select
        attendance_spells.agency_code,
        {{ dbt.concat([
            "'A:'", "attendance_spells.agency_person_id", "':'",
            "attendance_spells.agency_program_code", "':'",
            dbt.safe_cast("attendance_spells.start_date", dbt.type_string())]) }} as spell_id,
        'ATTENDANCE' as derived_from,
        attendance_spells.agency_person_id,
        cast(null as {{ dbt.type_string() }}) as stay_id,
        attendance_spells.agency_program_code,
        attendance_spells.start_date,
        first_exit_per_spell.exit_date as end_date,
        first_exit_per_spell.exit_reason_code,
        first_exit_per_spell.exit_reason_raw,
        attendance_spells.source_row_id
    from attendance_spells
    left join first_exit_per_spell
        on
            attendance_spells.agency_code = first_exit_per_spell.agency_code
            and attendance_spells.agency_person_id = first_exit_per_spell.agency_person_id
            and attendance_spells.agency_program_code = first_exit_per_spell.agency_program_code
            and attendance_spells.spell_number = first_exit_per_spell.spell_number
            and first_exit_per_spell.exit_rank = 1
)

select * from spells
