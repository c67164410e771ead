-- Every derived program spell with the reason it cannot be published, if any: no person, no
-- or unparseable start date, dates outside the window or in the future, exit before start, or
-- overlapping an earlier spell of the same person in the same program. Spells with a reason
-- go to the quarantine; the rest feed the marts.
with

spells as (
    select * from {{ ref('int_program_spells_unioned') }}
),

basic_checks as (
    select
        *,
        case
            when agency_person_id is null then 'UNKNOWN_PERSON'
            when agency_program_code is null then 'MISSING_PROGRAM'
            when start_date is null then 'MISSING_START_DATE'
            when start_date < {{ cts_window_start() }} then 'START_BEFORE_WINDOW'
            when start_date > {{ cts_window_end() }} then 'START_AFTER_WINDOW'
            when end_date < start_date then 'EXIT_BEFORE_START'
            when end_date > {{ cts_window_end() }} then 'EXIT_AFTER_WINDOW'
        end as basic_reason
    from spells
),

earlier_spells_compared as (
    select
        *,
        max(coalesce(end_date, {{ cts_window_end() }})) over (
            partition by agency_code, agency_person_id, agency_program_code
            order by start_date, spell_id
            rows between unbounded preceding and 1 preceding
        ) as latest_earlier_end_date
    from basic_checks
    where basic_reason is null
),

overlaps_flagged as (
    select
        basic_checks.*,
        coalesce(
            basic_checks.basic_reason,
            case
                when earlier_spells_compared.latest_earlier_end_date > basic_checks.start_date
                    then 'OVERLAPPING_SPELL'
            end
        ) as quarantine_reason
    from basic_checks
    left join earlier_spells_compared
        on
            basic_checks.agency_code = earlier_spells_compared.agency_code
            and basic_checks.spell_id = earlier_spells_compared.spell_id
)

select
    agency_code,
    spell_id,
    derived_from,
    agency_person_id,
    stay_id,
    agency_program_code,
    start_date,
    end_date,
    exit_reason_code,
    exit_reason_raw,
    source_row_id,
    quarantine_reason,
    quarantine_reason is null as is_publishable
from overlaps_flagged
