-- Program Summary: every program of every agency, with the canonical program and category it
-- maps to, the years it was offered, and its enrollment and completion totals (small counts
-- suppressed).
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

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

totals as (
    select
        agency_code,
        agency_program_code,
        count(*) as enrollment_events,
        count(distinct person_id) as distinct_persons,
        cast(sum(case when outcome_group = 'SUCCESSFUL' then 1 else 0 end) as bigint)
            as successful_exits,
        cast(sum(case when outcome_group = 'UNSUCCESSFUL' then 1 else 0 end) as bigint)
            as unsuccessful_exits
    from spells
    group by agency_code, agency_program_code
),

joined as (
    select
        programs.agency_code,
        agencies.agency_name,
        programs.agency_program_code,
        programs.agency_program_name,
        programs.agency_program_type,
        coalesce(programs.canonical_program_code, 'OTHER') as canonical_program_code,
        coalesce(programs.canonical_program_name, 'Other (not mapped)') as canonical_program_name,
        programs.category_code,
        categories.category_name,
        categories.psi_super_category,
        programs.mapping_method,
        cast(substring(programs.first_offered_period, 1, 4) as integer) as first_year_offered,
        cast(substring(programs.last_offered_period, 1, 4) as integer) as last_year_offered,
        coalesce(totals.enrollment_events, 0) as enrollment_events,
        coalesce(totals.distinct_persons, 0) as distinct_persons,
        coalesce(totals.successful_exits, 0) as successful_exits,
        coalesce(totals.unsuccessful_exits, 0) as unsuccessful_exits
    from programs
    inner join agencies
        on programs.agency_code = agencies.agency_code
    inner join categories
        on programs.category_code = categories.category_code
    left join totals
        on
            programs.agency_code = totals.agency_code
            and programs.agency_program_code = totals.agency_program_code
),

suppressed as (
    select
        agency_code,
        agency_name,
        agency_program_code,
        agency_program_name,
        agency_program_type,
        canonical_program_code,
        canonical_program_name,
        category_code,
        category_name,
        psi_super_category,
        mapping_method,
        first_year_offered,
        last_year_offered,
        {{ cts_suppressed_count('enrollment_events') }},
        {{ cts_suppressed_count('distinct_persons') }},
        {{ cts_suppressed_count('successful_exits') }},
        {{ cts_suppressed_count('unsuccessful_exits') }}
    from joined
)

select * from suppressed
