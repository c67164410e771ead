-- Program spells derived from status-change events (`events` layout): a STARTED event opens
-- a spell, SUSPENDED and RESUMED keep it open, the first terminal event after the start closes
-- it with that event's exit reason. Referrals that never start are not enrollments.
{{ config(pre_hook="{{ cts_avoid_nested_loops() }}") }}

with

staged_events as (
    {{ cts_union_staged('program_events') }}
),

versions_ranked as (
    select
        *,
        {{ cts_version_rank(['agency_code', 'event_id']) }} as version_rank
    from staged_events
    where is_latest_revision and event_id is not null
),

usable_events as (
    select
        *,
        case event_type_code
            when 'REFERRED' then 0
            when 'STARTED' then 1
            when 'SUSPENDED' then 2
            when 'RESUMED' then 3
            else 4
        end as same_day_order
    from versions_ranked
    where
        version_rank = 1
        and event_date is not null
        and agency_person_id is not null
        and event_type_code != 'UNKNOWN'
),

events_numbered as (
    select
        *,
        sum(case when event_type_code = 'STARTED' then 1 else 0 end) over (
            partition by agency_code, agency_person_id, agency_program_code
            order by event_date, same_day_order, event_id
            rows between unbounded preceding and current row
        ) as spell_number
    from usable_events
),

spell_events as (
    select * from events_numbered
    where spell_number > 0
),

starts as (
    select
        agency_code,
        agency_person_id,
        agency_program_code,
        spell_number,
        event_id as start_event_id,
        stay_id,
        event_date as start_date,
        source_row_id
    from spell_events
    where event_type_code = 'STARTED'
),

terminal_events_ranked as (
    select
        agency_code,
        agency_person_id,
        agency_program_code,
        spell_number,
        event_date as end_date,
        exit_reason_code,
        event_reason_raw,
        event_type_raw,
        row_number() over (
            partition by agency_code, agency_person_id, agency_program_code, spell_number
            order by event_date, event_id
        ) as terminal_rank
    from spell_events
    where is_terminal_event
),

spells as (
    select
        starts.agency_code,
        {{ dbt.concat(["'V:'", "starts.start_event_id"]) }} as spell_id,
        'STATUS_EVENTS' as derived_from,
        starts.agency_person_id,
        starts.stay_id,
        starts.agency_program_code,
        starts.start_date,
        terminal_events_ranked.end_date,
        terminal_events_ranked.exit_reason_code,
        coalesce(
            terminal_events_ranked.event_reason_raw, terminal_events_ranked.event_type_raw
        ) as exit_reason_raw,
        starts.source_row_id
    from starts
    left join terminal_events_ranked
        on
            starts.agency_code = terminal_events_ranked.agency_code
            and starts.agency_person_id = terminal_events_ranked.agency_person_id
            and starts.agency_program_code = terminal_events_ranked.agency_program_code
            and starts.spell_number = terminal_events_ranked.spell_number
            and terminal_events_ranked.terminal_rank = 1
)

select * from spells
