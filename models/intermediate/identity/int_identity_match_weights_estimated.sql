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
with

levels_counted as (
    select * from {{ ref('int_identity_match_levels_counted') }}
),

pattern_terms as (
    select * from {{ ref('int_identity_pair_patterns') }}
),

-- The state of expectation-maximisation after each round, one relation: every comparison
-- level with its m and weight, and the row `prior` / `match` with the prior and its weight
-- (log-odds). Each round reads the previous state once and the two tables above, so the chain
-- of rounds stays linear in their number on every engine (Spark inlines a CTE at each use: a
-- round that read the previous one twice doubled the plan each round).
em_state_0 as (
    select
        comparison_name,
        comparison_level,
        level_order,
        m_probability,
        match_weight
    from levels_counted
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
        levels_counted.comparison_name,
        levels_counted.comparison_level,
        levels_counted.level_order,
        levels_counted.u_probability,
        case
            when levels_counted.comparison_name = 'prior'
                then case
                    when levels_counted.sid_pairs >= {{ var('identity_min_sid_pairs') }}
                        then levels_counted.sid_prior_probability
                    else least(greatest(
                        em_level_matches_{{ iteration }}.expected_matches
                        / greatest(levels_counted.all_pairs, 1),
                        1e-12
                    ), 0.5)
                end
            when
                levels_counted.sid_pairs >= {{ var('identity_min_sid_pairs') }}
                and levels_counted.comparison_name != 'sid'
                then levels_counted.m_probability
            else (
                coalesce(em_level_matches_{{ iteration }}.expected_matches, 0)
                + {{ var('identity_prior_match_pairs') }} * levels_counted.prior_m_probability
            )
            / (
                coalesce(sum(em_level_matches_{{ iteration }}.expected_matches)
                    over (partition by levels_counted.comparison_name), 0)
                + {{ var('identity_prior_match_pairs') }}
            )
        end as m_probability
    from levels_counted
    left join em_level_matches_{{ iteration }}
        on
            levels_counted.comparison_name = em_level_matches_{{ iteration }}.comparison_name
            and levels_counted.comparison_level = em_level_matches_{{ iteration }}.comparison_level
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
        levels_counted.comparison_name,
        levels_counted.comparison_level,
        levels_counted.level_order,
        levels_counted.m_source,
        levels_counted.m_pair_count,
        levels_counted.m_pair_total,
        levels_counted.u_pair_count,
        levels_counted.u_pair_total,
        levels_counted.m_probability as initial_m_probability,
        em_state_{{ iterations }}.m_probability,
        levels_counted.u_probability,
        em_state_{{ iterations }}.match_weight
    from levels_counted
    inner join em_state_{{ iterations }}
        on
            levels_counted.comparison_name = em_state_{{ iterations }}.comparison_name
            and levels_counted.comparison_level = em_state_{{ iterations }}.comparison_level
)

select * from weights
