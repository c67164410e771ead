-- The Fellegi-Sunter match weights, estimated from the data itself. m (how often a true match
-- shows a level) is counted on pairs that label themselves: records sharing a valid SID for the
-- name, birth date, sex and race comparisons; records with the same first name, last name and
-- birth date for the SID comparison. u (how often a non-match shows it) is counted on random
-- pairs. Both are smoothed towards the prior of the identity_comparison_levels seed
-- (`identity_prior_match_pairs` and `identity_prior_random_pairs` pseudo-pairs). Weight =
-- log2(m / u), except that a `missing` level weighs nothing and no partial agreement may weigh
-- more than exact agreement on the same field (levels too rare for the random sample to measure
-- their u would otherwise get absurd weights). A row `prior` / `match` holds the
-- prior odds of a match (share of matching pairs among all pairs of SID holders). One row per
-- comparison level, stamped with the model version.
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
    select * from {{ ref('int_identity_records') }}
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
        (m_pair_count + {{ var('identity_prior_match_pairs') }} * prior_m_probability)
        / (m_pair_total + {{ var('identity_prior_match_pairs') }}) as m_probability,
        (u_pair_count + {{ var('identity_prior_random_pairs') }} * prior_u_probability)
        / (u_pair_total + {{ var('identity_prior_random_pairs') }}) as u_probability
    from totals_added
),

raw_weights_added as (
    select
        *,
        {{ cts_log2('m_probability / u_probability') }} as raw_match_weight
    from probabilities_estimated
),

weights_bounded as (
    select
        *,
        case
            when comparison_level = 'missing' then 0
            when level_order = 1 then raw_match_weight
            else least(
                raw_match_weight,
                max(case when level_order = 1 then raw_match_weight end)
                    over (partition by comparison_name)
            )
        end as match_weight
    from raw_weights_added
),

sid_holders as (
    select
        count(*) as sid_records,
        count(distinct sid) as distinct_sids
    from records
    where sid_status = 'VALID'
),

sid_pairs as (
    select count(*) as sid_pair_count
    from pairs_labelled
    where is_sid_pair
),

prior_estimated as (
    select
        'prior' as comparison_name,
        'match' as comparison_level,
        0 as level_order,
        'SID_PAIRS' as m_source,
        sid_pairs.sid_pair_count as m_pair_count,
        sid_holders.sid_records * (sid_holders.sid_records - 1) / 2 as m_pair_total,
        cast(null as bigint) as u_pair_count,
        cast(null as bigint) as u_pair_total,
        -- share of matching pairs among all pairs of SID holders, at least one in a billion
        greatest(
            cast(sid_pairs.sid_pair_count as double)
            / greatest(sid_holders.sid_records * (sid_holders.sid_records - 1) / 2, 1),
            1e-9
        ) as m_probability,
        cast(null as double) as u_probability
    from sid_holders
    cross join sid_pairs
),

weights as (
    select
        '{{ var("identity_model_version") }}' as model_version,
        comparison_name,
        comparison_level,
        level_order,
        m_source,
        m_pair_count,
        m_pair_total,
        u_pair_count,
        u_pair_total,
        m_probability,
        u_probability,
        match_weight
    from weights_bounded
    union all
    select
        '{{ var("identity_model_version") }}' as model_version,
        comparison_name,
        comparison_level,
        level_order,
        m_source,
        m_pair_count,
        m_pair_total,
        u_pair_count,
        u_pair_total,
        m_probability,
        u_probability,
        {{ cts_log2('m_probability / (1 - m_probability)') }} as match_weight
    from prior_estimated
)

select * from weights
