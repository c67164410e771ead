-- Program outcomes and completion rates per report cell, counted in the period of the exit:
-- exits by outcome group, the completion rate (successful / (successful + unsuccessful),
-- administrative exits such as release excluded) and completions over all exits, which keeps
-- pre-trial churn visible. Every cell is present; small counts and the rates built on them
-- are suppressed.
with

cells as (
    select * from {{ ref('int_report_cells') }}
),

exit_counts as (
    select * from {{ ref('int_exit_counts') }}
),

outcomes_pivoted as (
    select
        period_type,
        period_year,
        agency_code,
        category_code,
        dimension,
        dimension_value,
        {%- for group in ['SUCCESSFUL', 'UNSUCCESSFUL', 'ADMINISTRATIVE', 'UNKNOWN'] %}
        cast(sum(case when outcome_group = '{{ group }}' then exits else 0 end) as bigint)
            as {{ group | lower }}_exits,
        {%- endfor %}
        cast(sum(exits) as bigint) as total_exits
    from exit_counts
    group by period_type, period_year, agency_code, category_code, dimension, dimension_value
),

joined as (
    select
        cells.period_type,
        cells.period_year,
        cells.period_label,
        cells.is_partial_period,
        cells.agency_code,
        cells.category_code,
        cells.dimension,
        cells.dimension_value,
        {%- for group in ['successful', 'unsuccessful', 'administrative', 'unknown', 'total'] %}
        coalesce(outcomes_pivoted.{{ group }}_exits, 0) as {{ group }}_exits,
        {%- endfor %}
        coalesce(outcomes_pivoted.successful_exits, 0)
        + coalesce(outcomes_pivoted.unsuccessful_exits, 0) as rated_exits
    from cells
    left join outcomes_pivoted
        on
            cells.period_type = outcomes_pivoted.period_type
            and cells.period_year = outcomes_pivoted.period_year
            and cells.agency_code = outcomes_pivoted.agency_code
            and cells.category_code = outcomes_pivoted.category_code
            and cells.dimension = outcomes_pivoted.dimension
            and cells.dimension_value = outcomes_pivoted.dimension_value
),

suppressed as (
    select
        period_type,
        period_year,
        period_label,
        is_partial_period,
        agency_code,
        category_code,
        dimension,
        dimension_value,
        {%- for group in ['successful', 'unsuccessful', 'administrative', 'unknown', 'total'] %}
        {{ cts_suppressed_count(group ~ '_exits') }},
        {%- endfor %}
        {{ cts_suppressed_rate('successful_exits', 'rated_exits', 'completion_rate',
            ['successful_exits', 'unsuccessful_exits']) }},
        {{ cts_suppressed_rate('successful_exits', 'total_exits', 'completions_over_all_exits',
            ['successful_exits', 'unsuccessful_exits', 'administrative_exits', 'unknown_exits']) }}
    from joined
)

select * from suppressed
