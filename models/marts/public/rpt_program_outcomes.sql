-- Program outcomes and completion rates per report cell, counted in the period of the exit:
-- exits by outcome group, the completion rate (successful / (successful + unsuccessful),
-- administrative exits such as release excluded) and completions over all exits, which keeps
-- pre-trial churn visible. Every cell is present; small counts are suppressed with
-- complementary suppression, and rates are withheld when a part is suppressed (DERIVED) or
-- the denominator is at most the threshold (PRIMARY).
with

cells as (
    select * from {{ ref('int_report_cells_enumerated') }}
),

published as (
    {{ cts_published_measures('rpt_program_outcomes') }}
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
        {{ cts_published_columns('rpt_program_outcomes', 'published') }},
        {{ cts_published_rates('rpt_program_outcomes', 'published') }}
    from cells
    inner join published
        on {{ cts_keys_equal(
            'cells', 'published', cts_publication_key_columns('rpt_program_outcomes')
        ) }}
)

select * from final
