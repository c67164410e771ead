-- True (unsuppressed) exit counts per report cell and exit reason, counted in the period of
-- the exit date. Restricted: suppression happens in the public marts built on it. Distinct
-- persons only on dimension ALL: exit reasons are published without demographics (their
-- outcome groups carry them, as sums of exits).
with

spells_by_dimension as (
    select * from {{ ref('int_program_spells_split_by_dimension') }}
),

counted as (
    {{ cts_aggregate_cells(
        'spells_by_dimension', 'end', events='exits', persons='distinct_persons',
        extra_columns=['outcome_group', 'exit_reason_code'],
        where='exit_reason_code is not null', persons_dimensions=['ALL'],
    ) }}
)

select * from counted
