-- Program-mapping audit: every agency program that was not mapped exactly (matched by
-- similarity, or left as OTHER), with its closest canonical program, the similarity score and
-- the enrollments it carries, so that a reviewer can confirm a match or add an override.
with

programs as (
    select * from {{ ref('int_programs_mapped') }}
),

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

enrollments as (
    select
        agency_code,
        agency_program_code,
        count(*) as enrollment_events
    from spells
    group by agency_code, agency_program_code
),

audited as (
    select
        programs.agency_code,
        programs.agency_program_code,
        programs.agency_program_name,
        programs.normalized_name,
        programs.mapping_method,
        programs.canonical_program_code,
        programs.closest_canonical_program_code,
        programs.mapping_score,
        programs.category_code,
        coalesce(enrollments.enrollment_events, 0) as enrollment_events,
        programs.mapping_method = 'UNMAPPED' as is_unmapped
    from programs
    left join enrollments
        on
            programs.agency_code = enrollments.agency_code
            and programs.agency_program_code = enrollments.agency_program_code
    where programs.mapping_method in ('CONTAINS', 'SIMILARITY', 'UNMAPPED')
)

select * from audited
