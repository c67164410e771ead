-- Every program name to be matched, normalized the same way on both sides: the agencies'
-- current program names and the common catalog's names and aliases. Normalization runs in
-- steps (qualifiers, abbreviations in slices, spacing) so that no expression nests deeply;
-- each name also gets its words in alphabetical order and a core without filler words.
with

programs as (
    select * from {{ ref('int_programs_unioned') }}
),

canonical_programs as (
    select * from {{ ref('canonical_programs') }}
),

alias_positions as (
    {%- for position in range(1, 13) %}
    select {{ position }} as alias_position
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

names as (
    select
        'AGENCY' as name_source,
        agency_code,
        agency_program_code,
        cast(null as {{ dbt.type_string() }}) as canonical_program_code,
        'AGENCY_NAME' as name_kind,
        agency_program_name as program_name
    from programs
    union all
    select
        'CATALOG' as name_source,
        cast(null as {{ dbt.type_string() }}) as agency_code,
        cast(null as {{ dbt.type_string() }}) as agency_program_code,
        canonical_program_code,
        'CANONICAL_NAME' as name_kind,
        canonical_program_name as program_name
    from canonical_programs
    union all
    select
        'CATALOG' as name_source,
        cast(null as {{ dbt.type_string() }}) as agency_code,
        cast(null as {{ dbt.type_string() }}) as agency_program_code,
        canonical_programs.canonical_program_code,
        'ALIAS' as name_kind,
        {{ cts_split_part('canonical_programs.aliases', "'|'", 'alias_positions.alias_position') }}
            as program_name
    from canonical_programs
    cross join alias_positions
),

qualifiers_stripped as (
    select
        *,
        {{ cts_strip_program_qualifiers('program_name') }} as working_name
    from names
    where program_name is not null and trim(program_name) != ''
),

{%- set parts = 3 %}
{%- for part in range(parts) %}

abbreviations_expanded_{{ part + 1 }} as (
    select
        name_source,
        agency_code,
        agency_program_code,
        canonical_program_code,
        name_kind,
        program_name,
        {{ cts_expand_abbreviations('working_name', part, parts) }} as working_name
    from {{ 'qualifiers_stripped' if part == 0 else 'abbreviations_expanded_' ~ part }}
),
{%- endfor %}

normalized as (
    select distinct
        name_source,
        agency_code,
        agency_program_code,
        canonical_program_code,
        name_kind,
        program_name,
        {{ cts_collapse_spaces('working_name') }} as normalized_name
    from abbreviations_expanded_{{ parts }}
),

keyed as (
    select
        *,
        {{ cts_sort_words('normalized_name') }} as sorted_name,
        {{ cts_drop_filler_words('normalized_name') }} as core_name
    from normalized
    where normalized_name != ''
)

select * from keyed
