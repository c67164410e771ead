-- Program spells of every agency and layout in one shape, each resolved to the agency's person
-- record (agencies of the `enroll` layout reference the booking, not the person).
with

enrollment_spells as (
    select * from {{ ref('int_enrollment_spells_deduplicated') }}
),

event_spells as (
    select * from {{ ref('int_event_spells_derived') }}
),

attendance_spells as (
    select * from {{ ref('int_attendance_spells_derived') }}
),

stays as (
    select * from {{ ref('int_stays_unioned') }}
),

unioned as (
    select * from enrollment_spells
    union all
    select * from event_spells
    union all
    select * from attendance_spells
),

persons_resolved as (
    select
        unioned.agency_code,
        unioned.spell_id,
        unioned.derived_from,
        coalesce(unioned.agency_person_id, stays.agency_person_id) as agency_person_id,
        unioned.stay_id,
        unioned.agency_program_code,
        unioned.start_date,
        unioned.end_date,
        unioned.exit_reason_code,
        unioned.exit_reason_raw,
        unioned.source_row_id
    from unioned
    left join stays
        on
            unioned.agency_code = stays.agency_code
            and unioned.stay_id = stays.stay_id
)

select * from persons_resolved
