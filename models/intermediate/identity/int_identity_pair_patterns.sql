-- The candidate pairs grouped by their pattern of comparison levels, for the rounds of
-- expectation-maximisation (int_identity_match_weights_estimated): one row per pattern and
-- comparison with the pattern's level, and a row `prior` / `match` per pattern (the prior's
-- weight, which every pattern adds). `is_name_birth_pattern`: the pattern's pairs share first
-- name, last name and birth date.
{%- set level_columns = [] %}
{%- for comparison in cts_identity_comparisons() %}
{%- do level_columns.append(comparison ~ '_level') %}
{%- if not loop.last %}{% do level_columns.append("'|'") %}{% endif %}
{%- endfor %}
with

pairs_compared as (
    select * from {{ ref('int_identity_pairs_compared') }}
),

pairs_labelled as (
    select
        *,
        (
            first_name_level = 'exact'
            and last_name_level = 'exact'
            and birth_date_level = 'exact'
        ) as is_name_birth_pair
    from pairs_compared
),

pair_patterns as (
    select
        {%- for comparison in cts_identity_comparisons() %}
        {{ comparison }}_level,
        {%- endfor %}
        count(*) as pair_count,
        max(case when is_name_birth_pair then 1 else 0 end) as is_name_birth_pattern
    from pairs_labelled
    group by {{ range(1, cts_identity_comparisons() | length + 1) | join(', ') }}
),

patterns_numbered as (
    select
        *,
        {{ dbt.hash(dbt.concat(level_columns)) }} as pattern_id
    from pair_patterns
),

pattern_terms as (
    {%- for comparison in cts_identity_comparisons() %}
    select
        pattern_id,
        pair_count,
        is_name_birth_pattern,
        '{{ comparison }}' as comparison_name,
        {{ comparison }}_level as comparison_level
    from patterns_numbered
    union all
    {%- endfor %}
    select
        pattern_id,
        pair_count,
        is_name_birth_pattern,
        'prior' as comparison_name,
        'match' as comparison_level
    from patterns_numbered
)

select * from pattern_terms
