-- Program Enrollments: enrollment events and distinct persons per calendar or fiscal year of
-- start, by agency and statewide, by category, and by one demographic dimension at a time.
-- Every cell is present (zeros shown); counts of 1 to the threshold are suppressed.
with

cells as (
    select * from {{ ref('int_report_cells') }}
),

counts as (
    select * from {{ ref('int_enrollment_counts') }}
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
        coalesce(counts.enrollment_events, 0) as enrollment_events,
        coalesce(counts.distinct_persons, 0) as distinct_persons
    from cells
    left join counts
        on
            cells.period_type = counts.period_type
            and cells.period_year = counts.period_year
            and cells.agency_code = counts.agency_code
            and cells.category_code = counts.category_code
            and cells.dimension = counts.dimension
            and cells.dimension_value = counts.dimension_value
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
        {{ cts_suppressed_count('enrollment_events') }},
        {{ cts_suppressed_count('distinct_persons') }}
    from joined
)

select * from suppressed
