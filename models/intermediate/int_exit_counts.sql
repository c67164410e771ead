-- True (unsuppressed) exit counts per report cell and exit reason, counted in the period of
-- the exit date. Restricted: suppression happens in the public marts built on it.
with

spells_by_dimension as (
    select * from {{ ref('int_program_spells_by_dimension') }}
),

counted as (
    {{ cts_aggregate_cells(
        'spells_by_dimension', 'end', events='exits', persons='distinct_persons',
        extra_columns=['outcome_group', 'exit_reason_code'],
        where='exit_reason_code is not null',
    ) }}
)

select * from counted
