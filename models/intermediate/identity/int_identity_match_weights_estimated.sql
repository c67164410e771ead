-- The Fellegi-Sunter match weights, estimated from the data itself, with no truth. u (how often
-- a non-match shows a level) is counted on random pairs. m (how often a true match shows it)
-- starts from pairs that label themselves: records sharing a valid SID for the name, birth date,
-- sex, race and custody comparisons; records with the same first name, last name and birth date
-- for the SID comparison. The prior odds of a match start from the larger of the share of
-- SID-sharing pairs among pairs of SID holders and the share of name-and-birth-date pairs among
-- all pairs.
-- Then `identity_em_iterations` rounds of expectation-maximisation over the candidate pairs
-- (grouped by their pattern of levels) refine m and the prior, u staying fixed: each pattern's
-- match probability under the current weights, then m = expected matches at a level / expected
-- matches, and prior = expected matches / all pairs of records (pairs left out by blocking count
-- as non-matches). Where at least `identity_min_sid_pairs` pairs share a valid SID, the prior
-- stays the SID holders' share and m of every comparison but the SID stays the one counted on
-- the SID-sharing pairs: free labels beat EM there, which the look-alikes of a large candidate
-- set (same names and birth date, different people) drag towards a class of "same name" (left
-- free, EM put m of "birth dates differ" at 0.46 at demo scale and 0.65 at full scale against
-- 0.02 on the labels). So a source without SIDs (or with few) still gets its own m and prior. m and
-- u are smoothed towards the prior of the identity_comparison_levels seed
-- (`identity_prior_match_pairs` and `identity_prior_random_pairs` pseudo-pairs). Weight =
-- log2(m / u), except that a `missing` level weighs nothing and no partial agreement may weigh
-- more than exact agreement on the same field (levels too rare for the random sample to measure
-- their u would otherwise get absurd weights). A row `prior` / `match` holds the prior odds.
-- One row per comparison level, stamped with the model version.
{%- set iterations = var('identity_em_iterations') %}
{%- set level_columns = [] %}
{%- for comparison in cts_identity_comparisons() %}
{%- do level_columns.append(comparison ~ '_level') %}
{%- if not loop.last %}{% do level_columns.append("'|'") %}{% endif %}
{%- endfor %}
with

comparison_levels as (
    select * from {{ ref('identity_comparison_levels') }}
),

pairs_compared as (
    select * from {{ ref('int_identity_pairs_compared') }}
),

random_pairs_compared as (
    select * from {{ ref('int_identity_random_pairs_compared') }}
),

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

pairs_labelled as (
    select
        *,
        sid_level = 'same' as is_sid_pair,
        (
            first_name_level = 'exact'
            and last_name_level = 'exact'
            and birth_date_level = 'exact'
        ) as is_name_birth_pair
    from pairs_compared
),

match_level_counts as (
    {%- for comparison in cts_identity_comparisons() %}
    select
        '{{ comparison }}' as comparison_name,
        {{ comparison }}_level as comparison_level,
        '{{ "NAME_BIRTH_PAIRS" if comparison == "sid" else "SID_PAIRS" }}' as m_source,
        count(*) as m_pair_count
    from pairs_labelled
    where {{ 'is_name_birth_pair' if comparison == 'sid' else 'is_sid_pair' }}
    group by {{ comparison }}_level
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

random_level_counts as (
    {%- for comparison in cts_identity_comparisons() %}
    select
        '{{ comparison }}' as comparison_name,
        {{ comparison }}_level as comparison_level,
        count(*) as u_pair_count
    from random_pairs_compared
    group by {{ comparison }}_level
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

levels_counted as (
    select
        comparison_levels.comparison_name,
        comparison_levels.comparison_level,
        comparison_levels.level_order,
        comparison_levels.m_source,
        comparison_levels.prior_m_probability,
        comparison_levels.prior_u_probability,
        coalesce(match_level_counts.m_pair_count, 0) as m_pair_count,
        coalesce(random_level_counts.u_pair_count, 0) as u_pair_count
    from comparison_levels
    left join match_level_counts
        on
            comparison_levels.comparison_name = match_level_counts.comparison_name
            and comparison_levels.comparison_level = match_level_counts.comparison_level
    left join random_level_counts
        on
            comparison_levels.comparison_name = random_level_counts.comparison_name
            and comparison_levels.comparison_level = random_level_counts.comparison_level
),

totals_added as (
    select
        *,
        sum(m_pair_count) over (partition by comparison_name) as m_pair_total,
        sum(u_pair_count) over (partition by comparison_name) as u_pair_total
    from levels_counted
),

probabilities_estimated as (
    select
        comparison_name,
        comparison_level,
        level_order,
        m_source,
        m_pair_count,
        m_pair_total,
        u_pair_count,
        u_pair_total,
        prior_m_probability,
        (m_pair_count + {{ var('identity_prior_match_pairs') }} * prior_m_probability)
        / (m_pair_total + {{ var('identity_prior_match_pairs') }}) as m_probability,
        (u_pair_count + {{ var('identity_prior_random_pairs') }} * prior_u_probability)
        / (u_pair_total + {{ var('identity_prior_random_pairs') }}) as u_probability
    from totals_added
),

weights_initial as (
    select
        *,
        m_probability as initial_m_probability,
        {{ cts_identity_bounded_weight('m_probability', 'u_probability') }} as match_weight
    from probabilities_estimated
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

pattern_levels as (
    {%- for comparison in cts_identity_comparisons() %}
    select
        pattern_id,
        pair_count,
        '{{ comparison }}' as comparison_name,
        {{ comparison }}_level as comparison_level
    from patterns_numbered
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

sid_holders as (
    select
        count(*) as sid_records,
        count(distinct sid) as distinct_sids
    from records
    where sid_status = 'VALID'
),

record_pairs as (
    select cast(count(*) as {{ cts_type_double() }}) * (count(*) - 1) / 2 as all_pairs
    from records
),

sid_pairs as (
    select count(*) as sid_pair_count
    from pairs_labelled
    where is_sid_pair
),

name_birth_pairs as (
    select coalesce(sum(pair_count), 0) as name_birth_pair_count
    from patterns_numbered
    where is_name_birth_pattern = 1
),

prior_initial as (
    select
        sid_pairs.sid_pair_count,
        sid_holders.sid_records * (sid_holders.sid_records - 1) / 2 as sid_holder_pairs,
        cast(sid_pairs.sid_pair_count as {{ cts_type_double() }})
        / greatest(sid_holders.sid_records * (sid_holders.sid_records - 1) / 2, 1)
            as sid_prior_probability,
        -- at least one in a billion
        greatest(
            cast(sid_pairs.sid_pair_count as {{ cts_type_double() }})
            / greatest(sid_holders.sid_records * (sid_holders.sid_records - 1) / 2, 1),
            name_birth_pairs.name_birth_pair_count / greatest(record_pairs.all_pairs, 1),
            1e-9
        ) as prior_probability
    from sid_holders
    cross join sid_pairs
    cross join name_birth_pairs
    cross join record_pairs
),

-- The state of expectation-maximisation after each round, one relation: every comparison
-- level with its m and weight, and a row `prior` / `match` with the prior and its weight
-- (log-odds). Each round reads the previous state once, so the chain of rounds stays linear in
-- their number on every engine (Spark inlines a CTE at each use: a round that read the
-- previous one twice doubled the plan each round).
em_state_0 as (
    select
        comparison_name,
        comparison_level,
        level_order,
        m_probability,
        match_weight
    from weights_initial
    union all
    select
        'prior' as comparison_name,
        'match' as comparison_level,
        0 as level_order,
        prior_probability as m_probability,
        {{ cts_log2('prior_probability / (1 - prior_probability)') }} as match_weight
    from prior_initial
),

-- every pattern's levels, and the prior, whose weight every pattern adds
pattern_terms as (
    select
        pattern_id,
        pair_count,
        comparison_name,
        comparison_level
    from pattern_levels
    union all
    select
        pattern_id,
        pair_count,
        'prior' as comparison_name,
        'match' as comparison_level
    from patterns_numbered
),

-- the comparison levels with what stays fixed through the rounds, and the prior's row
levels_fixed as (
    select
        comparison_name,
        comparison_level,
        level_order,
        prior_m_probability,
        u_probability,
        m_probability as initial_m_probability
    from weights_initial
    union all
    select
        'prior' as comparison_name,
        'match' as comparison_level,
        0 as level_order,
        cast(null as {{ cts_type_double() }}) as prior_m_probability,
        cast(null as {{ cts_type_double() }}) as u_probability,
        prior_probability as initial_m_probability
    from prior_initial
),
{% for iteration in range(1, iterations + 1) %}
{%- set previous = iteration - 1 %}
em_pattern_weights_{{ iteration }} as (
    select
        pattern_terms.pattern_id,
        max(pattern_terms.pair_count) as pair_count,
        max(
            case
                when em_state_{{ previous }}.comparison_name = 'prior'
                    then em_state_{{ previous }}.match_weight
            end
        )
        + sum(
            case
                when em_state_{{ previous }}.comparison_name != 'prior'
                    then em_state_{{ previous }}.match_weight
            end
        ) as match_weight
    from pattern_terms
    inner join em_state_{{ previous }}
        on
            pattern_terms.comparison_name = em_state_{{ previous }}.comparison_name
            and pattern_terms.comparison_level = em_state_{{ previous }}.comparison_level
    group by pattern_terms.pattern_id
),

em_expected_{{ iteration }} as (
    select
        pattern_id,
        pair_count / (1.0 + power(2.0, -least(greatest(match_weight, -60), 60)))
            as expected_matches
    from em_pattern_weights_{{ iteration }}
),

-- expected matches per level, and (the prior's row) in all
em_level_matches_{{ iteration }} as (
    select
        pattern_terms.comparison_name,
        pattern_terms.comparison_level,
        sum(em_expected_{{ iteration }}.expected_matches) as expected_matches
    from pattern_terms
    inner join em_expected_{{ iteration }}
        on pattern_terms.pattern_id = em_expected_{{ iteration }}.pattern_id
    group by pattern_terms.comparison_name, pattern_terms.comparison_level
),

em_probabilities_{{ iteration }} as (
    select
        levels_fixed.comparison_name,
        levels_fixed.comparison_level,
        levels_fixed.level_order,
        levels_fixed.u_probability,
        case
            when levels_fixed.comparison_name = 'prior'
                then case
                    when prior_initial.sid_pair_count >= {{ var('identity_min_sid_pairs') }}
                        then prior_initial.sid_prior_probability
                    else least(greatest(
                        em_level_matches_{{ iteration }}.expected_matches
                        / greatest(record_pairs.all_pairs, 1),
                        1e-12
                    ), 0.5)
                end
            when
                prior_initial.sid_pair_count >= {{ var('identity_min_sid_pairs') }}
                and levels_fixed.comparison_name != 'sid'
                then levels_fixed.initial_m_probability
            else (
                coalesce(em_level_matches_{{ iteration }}.expected_matches, 0)
                + {{ var('identity_prior_match_pairs') }} * levels_fixed.prior_m_probability
            )
            / (
                coalesce(sum(em_level_matches_{{ iteration }}.expected_matches)
                    over (partition by levels_fixed.comparison_name), 0)
                + {{ var('identity_prior_match_pairs') }}
            )
        end as m_probability
    from levels_fixed
    left join em_level_matches_{{ iteration }}
        on
            levels_fixed.comparison_name = em_level_matches_{{ iteration }}.comparison_name
            and levels_fixed.comparison_level = em_level_matches_{{ iteration }}.comparison_level
    cross join prior_initial
    cross join record_pairs
),

em_state_{{ iteration }} as (
    select
        comparison_name,
        comparison_level,
        level_order,
        m_probability,
        case
            when comparison_name = 'prior'
                then {{ cts_log2('m_probability / (1 - m_probability)') }}
            else {{ cts_identity_bounded_weight('m_probability', 'u_probability') }}
        end as match_weight
    from em_probabilities_{{ iteration }}
),
{% endfor %}
weights as (
    select
        '{{ var("identity_model_version") }}' as model_version,
        weights_initial.comparison_name,
        weights_initial.comparison_level,
        weights_initial.level_order,
        weights_initial.m_source,
        weights_initial.m_pair_count,
        weights_initial.m_pair_total,
        weights_initial.u_pair_count,
        weights_initial.u_pair_total,
        weights_initial.initial_m_probability,
        em_state_{{ iterations }}.m_probability,
        weights_initial.u_probability,
        em_state_{{ iterations }}.match_weight
    from weights_initial
    inner join em_state_{{ iterations }}
        on
            weights_initial.comparison_name = em_state_{{ iterations }}.comparison_name
            and weights_initial.comparison_level = em_state_{{ iterations }}.comparison_level
    union all
    select
        '{{ var("identity_model_version") }}' as model_version,
        'prior' as comparison_name,
        'match' as comparison_level,
        0 as level_order,
        'SID_PAIRS' as m_source,
        prior_initial.sid_pair_count as m_pair_count,
        prior_initial.sid_holder_pairs as m_pair_total,
        cast(null as bigint) as u_pair_count,
        cast(null as bigint) as u_pair_total,
        prior_initial.prior_probability as initial_m_probability,
        em_state_{{ iterations }}.m_probability,
        cast(null as {{ cts_type_double() }}) as u_probability,
        em_state_{{ iterations }}.match_weight
    from prior_initial
    inner join em_state_{{ iterations }}
        on em_state_{{ iterations }}.comparison_name = 'prior'
)

select * from weights
