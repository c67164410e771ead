-- Each agency program mapped onto the common catalog. In order: a curated override
-- (program_name_overrides seed); an exact match of the normalised name on a canonical name or
-- alias; the most similar canonical name or alias (word order ignored) when the similarity
-- reaches `program_match_threshold`; otherwise OTHER. Every decision keeps its method and
-- score for the mapping audit.
with

programs as (
    select * from {{ ref('int_programs_unioned') }}
),

canonical_programs as (
    select * from {{ ref('canonical_programs') }}
),

overrides as (
    select * from {{ ref('program_name_overrides') }}
),

alias_positions as (
    {%- for position in range(1, 13) %}
    select {{ position }} as alias_position
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

catalog_names as (
    select
        canonical_program_code,
        canonical_program_name as catalog_name,
        'CANONICAL_NAME' as name_kind
    from canonical_programs
    union all
    select
        canonical_programs.canonical_program_code,
        {{ dbt.split_part('canonical_programs.aliases', "'|'", 'alias_positions.alias_position') }}
            as catalog_name,
        'ALIAS' as name_kind
    from canonical_programs
    cross join alias_positions
),

catalog_names_normalized as (
    select distinct
        canonical_program_code,
        name_kind,
        {{ cts_normalize_program_name('catalog_name') }} as normalized_name
    from catalog_names
    where catalog_name is not null and trim(catalog_name) != ''
),

catalog_names_keyed as (
    select
        *,
        {{ cts_sort_words('normalized_name') }} as sorted_name,
        {{ cts_drop_filler_words('normalized_name') }} as core_name
    from catalog_names_normalized
    where normalized_name != ''
),

programs_normalized as (
    select
        programs.*,
        {{ cts_normalize_program_name('programs.agency_program_name') }} as normalized_name
    from programs
),

programs_keyed as (
    select
        *,
        {{ cts_sort_words('normalized_name') }} as sorted_name,
        {{ cts_drop_filler_words('normalized_name') }} as core_name
    from programs_normalized
),

override_matches as (
    select
        programs_keyed.agency_code,
        programs_keyed.agency_program_code,
        overrides.canonical_program_code
    from programs_keyed
    inner join overrides
        on
            programs_keyed.agency_code = overrides.agency_code
            and programs_keyed.agency_program_name = overrides.agency_program_name
),

candidate_scores as (
    select
        programs_keyed.agency_code,
        programs_keyed.agency_program_code,
        catalog_names_keyed.canonical_program_code,
        catalog_names_keyed.name_kind,
        case
            when programs_keyed.normalized_name = catalog_names_keyed.normalized_name then 1.0
            when programs_keyed.sorted_name = catalog_names_keyed.sorted_name then 0.999
            -- the whole catalog name plus extra words (a site, a shift): the longer the catalog
            -- name the surer the match
            when {{ cts_contains_all_words(
                'programs_keyed.normalized_name', 'catalog_names_keyed.normalized_name') }}
                then 0.95 + 0.001 * least({{ dbt.length('catalog_names_keyed.normalized_name') }}, 40)
            else greatest(
                {{ cts_string_similarity(
                    'programs_keyed.normalized_name', 'catalog_names_keyed.normalized_name') }},
                {{ cts_string_similarity(
                    'programs_keyed.sorted_name', 'catalog_names_keyed.sorted_name') }},
                -- without filler words ("program", "class"); capped below an exact match so
                -- that "ART" stays Aggression Replacement Training, not "Art Program"
                least(0.98, {{ cts_string_similarity(
                    'programs_keyed.core_name', 'catalog_names_keyed.core_name') }})
            )
        end as similarity,
        {{ cts_contains_all_words(
            'programs_keyed.normalized_name', 'catalog_names_keyed.normalized_name') }}
            as is_contained
    from programs_keyed
    cross join catalog_names_keyed
),

best_candidates as (
    select
        *,
        row_number() over (
            partition by agency_code, agency_program_code
            order by similarity desc, name_kind, canonical_program_code
        ) as candidate_rank
    from candidate_scores
),

mapped as (
    select
        programs_keyed.agency_code,
        programs_keyed.agency_program_code,
        programs_keyed.agency_program_name,
        programs_keyed.agency_program_type,
        programs_keyed.first_offered_period,
        programs_keyed.last_offered_period,
        programs_keyed.normalized_name,
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
    from programs_keyed
    left join override_matches
        on
            programs_keyed.agency_code = override_matches.agency_code
            and programs_keyed.agency_program_code = override_matches.agency_program_code
    left join best_candidates
        on
            programs_keyed.agency_code = best_candidates.agency_code
            and programs_keyed.agency_program_code = best_candidates.agency_program_code
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
