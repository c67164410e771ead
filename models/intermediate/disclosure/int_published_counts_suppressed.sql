-- Disclosure control on every published count. Primary suppression: a count from 1 to the
-- threshold (`suppression_threshold`). Complementary suppression, in rounds: any relation group
-- (int_published_cell_groups) holding exactly one suppressed cell gets a second one, its
-- smallest other non-zero cell (zeros only when nothing else is left), until no group has a
-- lone suppressed cell or `suppression_rounds` is reached; the lonely-group test then fails the
-- build. A suppressed count is published as null with its reason. Each round is a
-- materialized CTE (DuckDB, PostgreSQL): later rounds read it several times.
with

counts as (
    select * from {{ ref('int_published_counts') }}
),

memberships as (
    select * from {{ ref('int_published_cell_groups') }}
),

round_0 as materialized (
    select
        cell_number,
        true_value,
        case when {{ cts_is_small('true_value') }} then 'PRIMARY' end as suppression
    from counts
),

{%- for round in range(1, var('suppression_rounds') + 1) %}
{%- set previous = 'round_' ~ (round - 1) %}

lonely_groups_{{ round }} as (
    select memberships.group_key
    from memberships
    inner join {{ previous }}
        on memberships.cell_number = {{ previous }}.cell_number
    group by memberships.group_key
    having sum(case when {{ previous }}.suppression is not null then 1 else 0 end) = 1
),

partners_ranked_{{ round }} as (
    select
        memberships.group_key,
        memberships.cell_number,
        row_number() over (
            partition by memberships.group_key
            order by
                case when {{ previous }}.true_value = 0 then 1 else 0 end asc,
                {{ previous }}.true_value asc,
                memberships.cell_number asc
        ) as partner_rank
    from memberships
    inner join lonely_groups_{{ round }}
        on memberships.group_key = lonely_groups_{{ round }}.group_key
    inner join {{ previous }}
        on memberships.cell_number = {{ previous }}.cell_number
    where {{ previous }}.suppression is null
),

partners_{{ round }} as (
    select distinct cell_number
    from partners_ranked_{{ round }}
    where partner_rank = 1
),

round_{{ round }} as materialized (
    select
        {{ previous }}.cell_number,
        {{ previous }}.true_value,
        case
            when {{ previous }}.suppression is not null then {{ previous }}.suppression
            when partners_{{ round }}.cell_number is not null then 'COMPLEMENTARY'
        end as suppression
    from {{ previous }}
    left join partners_{{ round }}
        on {{ previous }}.cell_number = partners_{{ round }}.cell_number
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
        case when suppressed.suppression is null then counts.true_value end as published_value
    from counts
    inner join round_{{ var('suppression_rounds') }} as suppressed
        on counts.cell_number = suppressed.cell_number
)

select * from final
