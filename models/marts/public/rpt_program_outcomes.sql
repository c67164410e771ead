-- Program outcomes and completion rates per report cell, counted in the period of the exit:
-- exits by outcome group, the completion rate (successful / (successful + unsuccessful),
-- administrative exits such as release excluded) and completions over all exits, which keeps
-- pre-trial churn visible. Every cell is present; small counts are suppressed with
-- complementary suppression, and rates are withheld when a part is suppressed (DERIVED) or
-- the denominator is at most the threshold (PRIMARY).
with

cells as (
    select * from {{ ref('int_report_cells') }}
),

{%- set keys = [
    'period_type', 'period_year', 'agency_code', 'category_code', 'dimension', 'dimension_value'
] %}
{%- set groups = ['successful', 'unsuccessful', 'administrative', 'unknown', 'total'] %}

published as (
    {{ cts_published_measures('rpt_program_outcomes', [
        'successful_exits', 'unsuccessful_exits', 'administrative_exits', 'unknown_exits',
        'total_exits',
    ], keys) }}
),

final as (
    select
        cells.period_type,
        cells.period_year,
        cells.period_label,
        cells.is_partial_period,
        cells.agency_code,
        cells.category_code,
        cells.dimension,
        cells.dimension_value,
        {%- for group in groups %}
        published.{{ group }}_exits,
        published.{{ group }}_exits_suppression,
        {%- endfor %}
        {{ cts_published_rate(
            'published.successful_exits_true',
            'published.successful_exits_true + published.unsuccessful_exits_true',
            'completion_rate',
            ['published.successful_exits_suppression',
                'published.unsuccessful_exits_suppression']) }},
        {{ cts_published_rate(
            'published.successful_exits_true',
            'published.total_exits_true',
            'completions_over_all_exits',
            ['published.successful_exits_suppression',
                'published.unsuccessful_exits_suppression',
                'published.administrative_exits_suppression',
                'published.unknown_exits_suppression',
                'published.total_exits_suppression']) }}
    from cells
    inner join published
        on
            cells.period_type = published.period_type
            and cells.period_year = published.period_year
            and cells.agency_code = published.agency_code
            and cells.category_code = published.category_code
            and cells.dimension = published.dimension
            and cells.dimension_value = published.dimension_value
)

select * from final
