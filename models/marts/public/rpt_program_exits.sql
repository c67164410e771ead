-- Program Exits by exit reason: exits and distinct persons per calendar or fiscal year of the
-- exit date, by agency and statewide, by category, by one demographic dimension at a time, and
-- by outcome group and exit reason. Only combinations with at least one exit are listed.
-- Counts of 1 to the threshold are suppressed.
with

counts as (
    select * from {{ ref('int_exit_counts') }}
),

periods as (
    select distinct
        period_type,
        period_year,
        period_label,
        is_partial_period
    from {{ ref('int_report_cells') }}
),

labelled as (
    select
        counts.period_type,
        counts.period_year,
        periods.period_label,
        periods.is_partial_period,
        counts.agency_code,
        counts.category_code,
        counts.dimension,
        counts.dimension_value,
        counts.outcome_group,
        counts.exit_reason_code,
        counts.exits,
        counts.distinct_persons
    from counts
    inner join periods
        on
            counts.period_type = periods.period_type
            and counts.period_year = periods.period_year
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
        outcome_group,
        exit_reason_code,
        {{ cts_suppressed_count('exits') }},
        {{ cts_suppressed_count('distinct_persons') }}
    from labelled
)

select * from suppressed
