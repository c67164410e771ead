-- Program Exits by exit reason: exits and distinct persons per calendar or fiscal year of the
-- exit date, by agency and statewide, by category, by one demographic dimension at a time, and
-- by outcome group and exit reason, at dimension ALL (exit reasons are not published by
-- demographics). Every exit reason is listed for every agency, category and period, zeros too.
-- Small counts are suppressed with complementary suppression.
with

periods as (
    select distinct
        period_type,
        period_year,
        period_label,
        is_partial_period
    from {{ ref('int_report_cells_enumerated') }}
),

published as (
    {{ cts_published_measures('rpt_program_exits') }}
),

final as (
    select
        published.period_type,
        published.period_year,
        periods.period_label,
        periods.is_partial_period,
        published.agency_code,
        published.category_code,
        published.dimension,
        published.dimension_value,
        published.outcome_group,
        published.exit_reason_code,
        {{ cts_published_columns('rpt_program_exits', 'published') }}
    from published
    inner join periods
        on
            published.period_type = periods.period_type
            and published.period_year = periods.period_year
)

select * from final
