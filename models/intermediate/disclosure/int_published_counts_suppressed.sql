-- Disclosure control on every published count. Primary suppression: a count from 1 to the
-- threshold (`suppression_threshold`). Complementary suppression, in rounds: every relation
-- group (int_published_cells_grouped) that is unsafe (one suppressed cell, or suppressed cells
-- pinned by the bounds their flags reveal: cts_unsafe_group_condition) gets one more, its
-- smallest other non-zero cell, until no group is unsafe or `suppression_rounds` is reached;
-- a test then fails the build. Each round carries only the (small) set of suppressed cells,
-- materialized because the next round reads it twice. A suppressed count is published as
-- null with its reason.
with

counts as (
    select * from {{ ref('int_published_counts_unpivoted') }}
),

memberships as (
    select * from {{ ref('int_published_cells_grouped') }}
),

suppressed_0 as materialized (
    select
        cell_number,
        'PRIMARY' as suppression
    from counts
    where {{ cts_is_small('true_value') }}
),

{%- for round in range(1, var('suppression_rounds') + 1) %}
{%- set previous = 'suppressed_' ~ (round - 1) %}

unsafe_groups_{{ round }} as (
    select memberships.group_key
    from memberships
    inner join {{ previous }}
        on memberships.cell_number = {{ previous }}.cell_number
    inner join counts
        on memberships.cell_number = counts.cell_number
    group by memberships.group_key
    having {{ cts_unsafe_group_condition(
        previous ~ '.suppression', 'counts.true_value', 'memberships.side') }}
),

partners_ranked_{{ round }} as (
    select
        memberships.cell_number,
        row_number() over (
            partition by memberships.group_key
            order by counts.true_value asc, memberships.cell_number asc
        ) as partner_rank
    from memberships
    inner join unsafe_groups_{{ round }}
        on memberships.group_key = unsafe_groups_{{ round }}.group_key
    inner join counts
        on memberships.cell_number = counts.cell_number
    left join {{ previous }}
        on memberships.cell_number = {{ previous }}.cell_number
    -- a suppressed zero never hides anything: partners carry a count
    where {{ previous }}.cell_number is null and counts.true_value > 0
),

suppressed_{{ round }} as materialized (
    select * from {{ previous }}
    union all
    select distinct
        cell_number,
        'COMPLEMENTARY' as suppression
    from partners_ranked_{{ round }}
    where partner_rank = 1
),
{%- endfor %}

final as (
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
        suppressed.suppression,
        case when suppressed.cell_number is null then counts.true_value end as published_value
    from counts
    left join suppressed_{{ var('suppression_rounds') }} as suppressed
        on counts.cell_number = suppressed.cell_number
)

select * from final
