-- Every published count with the protection's decision: the long table of true counts
-- (int_published_counts_unpivoted) and the decisions the runner's protection step
-- (cts.publication.protect, between two dbt builds) wrote for it. A count is published, or
-- withheld with the one public flag SUPPRESSED; the restricted reason says why (PRIMARY: 1 to the
-- threshold; COMPLEMENTARY: withheld so that no withheld count can be pinned). The decisions are
-- engine-neutral rows, so this model and the marts build the same on every target.
with

counts as (
    select * from {{ ref('int_published_counts_unpivoted') }}
),

decisions as (
    select * from {{ source('protection', 'cell_decisions') }}
),

protected as (
    select
        counts.cell_number,
        counts.cell_id,
        counts.mart,
        counts.measure,
        counts.period_type,
        counts.period_year,
        counts.agency_code,
        counts.category_code,
        counts.dimension,
        counts.dimension_value,
        counts.outcome_group,
        counts.exit_reason_code,
        counts.agency_program_code,
        counts.true_value,
        decisions.suppression_reason,
        decisions.proven_width,
        case when decisions.cell_id is not null then 'SUPPRESSED' end as suppression,
        case when decisions.cell_id is null then counts.true_value end as published_value
    from counts
    left join decisions
        on counts.cell_id = decisions.cell_id
)

select * from protected
