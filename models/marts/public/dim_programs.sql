-- Program Summary: every program of every agency, with the canonical program and category it
-- maps to, the years it was offered, and its enrollment and completion totals. Enrollments
-- under a code missing from an agency's catalog are listed as that agency's '(UNLISTED)'
-- program, so that programs add up to the agency's totals. Small counts are suppressed with
-- complementary suppression.
with

programs as (
    select * from {{ ref('int_programs_mapped') }}
),

categories as (
    select * from {{ ref('program_categories') }}
),

agencies as (
    select * from {{ ref('agencies') }}
),

published as (
    {{ cts_published_measures('dim_programs') }}
),

joined as (
    select
        published.agency_code,
        agencies.agency_name,
        published.agency_program_code,
        coalesce(programs.agency_program_name, 'Programs not in the agency catalog')
            as agency_program_name,
        programs.agency_program_type,
        coalesce(programs.canonical_program_code, 'OTHER') as canonical_program_code,
        coalesce(programs.canonical_program_name, 'Other (not mapped)') as canonical_program_name,
        published.category_code,
        categories.category_name,
        categories.psi_super_category,
        coalesce(programs.mapping_method, 'UNMAPPED') as mapping_method,
        cast(substring(programs.first_offered_period, 1, 4) as integer) as first_year_offered,
        cast(substring(programs.last_offered_period, 1, 4) as integer) as last_year_offered,
        {{ cts_published_columns('dim_programs', 'published') }}
    from published
    inner join agencies
        on published.agency_code = agencies.agency_code
    inner join categories
        on published.category_code = categories.category_code
    left join programs
        on
            published.agency_code = programs.agency_code
            and published.agency_program_code = programs.agency_program_code
)

select * from joined
