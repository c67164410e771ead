-- Each agency program mapped onto the common catalog. In order: a curated override
-- (program_name_overrides seed); an exact match of the normalized name on a canonical name or
-- alias (any word order); the catalog name contained whole in the agency's name (plus a site or
-- other qualifier); the most similar canonical name or alias when the similarity reaches
-- `program_match_threshold`; otherwise OTHER. Every decision keeps its method and score for
-- the mapping audit.
with

programs as (
    select * from {{ ref('int_programs_unioned') }}
),

program_names as (
    select * from {{ ref('int_program_names_normalized') }}
),

canonical_programs as (
    select * from {{ ref('canonical_programs') }}
),

overrides as (
    select * from {{ ref('program_name_overrides') }}
),

agency_names as (
    select * from program_names
    where name_source = 'AGENCY'
),

catalog_names as (
    select * from program_names
    where name_source = 'CATALOG'
),

override_matches as (
    select
        programs.agency_code,
        programs.agency_program_code,
        overrides.canonical_program_code
    from programs
    inner join overrides
        on
            programs.agency_code = overrides.agency_code
            and programs.agency_program_name = overrides.agency_program_name
),

candidate_scores as (
    select
        agency_names.agency_code,
        agency_names.agency_program_code,
        catalog_names.canonical_program_code,
        catalog_names.name_kind,
        case
            when agency_names.normalized_name = catalog_names.normalized_name then 1.0
            when agency_names.sorted_name = catalog_names.sorted_name then 0.999
            -- the whole catalog name plus extra words (a site, a shift): the longer the catalog
            -- name the surer the match
            when {{ cts_contains_all_words(
                'agency_names.normalized_name', 'catalog_names.normalized_name') }}
                then 0.95 + 0.001 * least({{ dbt.length('catalog_names.normalized_name') }}, 40)
            else greatest(
                {{ cts_string_similarity(
                    'agency_names.normalized_name', 'catalog_names.normalized_name') }},
                {{ cts_string_similarity(
                    'agency_names.sorted_name', 'catalog_names.sorted_name') }},
                -- without filler words ("program", "class"); capped below an exact match so
                -- that "ART" stays Aggression Replacement Training, not "Art Program"
                least(0.98, {{ cts_string_similarity(
                    'agency_names.core_name', 'catalog_names.core_name') }})
            )
        end as similarity,
        {{ cts_contains_all_words(
            'agency_names.normalized_name', 'catalog_names.normalized_name') }}
            as is_contained
    from agency_names
    cross join catalog_names
),

best_candidates as (
    select
        *,
        row_number() over (
            partition by agency_code, agency_program_code
            order by similarity desc, name_kind asc, canonical_program_code asc
        ) as candidate_rank
    from candidate_scores
),

mapped as (
    select
        programs.agency_code,
        programs.agency_program_code,
        programs.agency_program_name,
        programs.agency_program_type,
        programs.first_offered_period,
        programs.last_offered_period,
        agency_names.normalized_name,
        case
            when override_matches.canonical_program_code is not null then 'OVERRIDE'
            when best_candidates.similarity >= 0.999 and best_candidates.name_kind = 'ALIAS'
                then 'ALIAS'
            when best_candidates.similarity >= 0.999 then 'EXACT'
            when best_candidates.is_contained then 'CONTAINS'
            when best_candidates.similarity >= {{ var('program_match_threshold') }}
                then 'SIMILARITY'
            else 'UNMAPPED'
        end as mapping_method,
        case
            when override_matches.canonical_program_code is not null
                then override_matches.canonical_program_code
            when best_candidates.similarity >= {{ var('program_match_threshold') }}
                then best_candidates.canonical_program_code
        end as canonical_program_code,
        best_candidates.canonical_program_code as closest_canonical_program_code,
        best_candidates.similarity as mapping_score
    from programs
    left join agency_names
        on
            programs.agency_code = agency_names.agency_code
            and programs.agency_program_code = agency_names.agency_program_code
    left join override_matches
        on
            programs.agency_code = override_matches.agency_code
            and programs.agency_program_code = override_matches.agency_program_code
    left join best_candidates
        on
            programs.agency_code = best_candidates.agency_code
            and programs.agency_program_code = best_candidates.agency_program_code
            and best_candidates.candidate_rank = 1
),

categorized as (
    select
        mapped.*,
        coalesce(canonical_programs.category_code, 'OTHER') as category_code,
        canonical_programs.canonical_program_name
    from mapped
    left join canonical_programs
        on mapped.canonical_program_code = canonical_programs.canonical_program_code
)

select * from categorized
