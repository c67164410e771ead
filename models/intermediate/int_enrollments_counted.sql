-- True (unsuppressed) enrollment counts per report cell: enrollment events and distinct
-- persons, counted in the period of the enrollment's start. Restricted: small counts are
-- suppressed only in the public mart built on it.
with

spells_by_dimension as (
    select * from {{ ref('int_program_spells_split_by_dimension') }}
),

counted as (
    {{ cts_aggregate_cells(
        'spells_by_dimension', 'start', events='enrollment_events', persons='distinct_persons',
    ) }}
)

select * from counted
