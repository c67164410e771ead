-- Program Enrollments: enrollment events and distinct persons per calendar or fiscal year of
-- start, by agency and statewide, by category, and by one demographic dimension at a time.
-- Every cell is present (zeros shown); small counts are suppressed, with complementary
-- suppression so that none can be recovered from the others.
with

cells as (
    select * from {{ ref('int_report_cells_enumerated') }}
),

published as (
    {{ cts_published_measures('rpt_program_enrollments') }}
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
        {{ cts_published_columns('rpt_program_enrollments', 'published') }}
    from cells
    inner join published
        on {{ cts_keys_equal(
            'cells', 'published', cts_publication_key_columns('rpt_program_enrollments')
        ) }}
)

select * from final
