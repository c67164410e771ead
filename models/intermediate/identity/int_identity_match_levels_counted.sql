-- Where the Fellegi-Sunter estimation starts (int_identity_match_weights_estimated runs its
-- rounds from here): every comparison level with its m counted on self-labelled pairs and its u
-- counted on random pairs, both smoothed, and its initial weight; and a row `prior` / `match`
-- with the initial prior (the larger of the SID holders' share of SID-sharing pairs and the
-- share of name-and-birth-date pairs among all pairs) and its log-odds. Every row also carries
-- the three numbers the rounds need for the prior: SID-sharing pairs, their share among SID
-- holders' pairs, and all pairs of records. A table of its own, so that each round reads a small
-- relation (Spark inlines a CTE at every use).
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

pair_patterns as (
    select * from {{ ref('int_identity_pair_patterns') }}
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
    from pair_patterns
    where comparison_name = 'prior' and is_name_birth_pattern = 1
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

levels_and_prior as (
    select
        weights_initial.comparison_name,
        weights_initial.comparison_level,
        weights_initial.level_order,
        weights_initial.m_source,
        weights_initial.m_pair_count,
        weights_initial.m_pair_total,
        weights_initial.u_pair_count,
        weights_initial.u_pair_total,
        weights_initial.prior_m_probability,
        weights_initial.u_probability,
        weights_initial.m_probability,
        weights_initial.match_weight
    from weights_initial
    union all
    select
        'prior' as comparison_name,
        'match' as comparison_level,
        0 as level_order,
        'SID_PAIRS' as m_source,
        sid_pair_count as m_pair_count,
        sid_holder_pairs as m_pair_total,
        cast(null as bigint) as u_pair_count,
        cast(null as bigint) as u_pair_total,
        cast(null as {{ cts_type_double() }}) as prior_m_probability,
        cast(null as {{ cts_type_double() }}) as u_probability,
        prior_probability as m_probability,
        {{ cts_log2('prior_probability / (1 - prior_probability)') }} as match_weight
    from prior_initial
),

counted as (
    select
        levels_and_prior.*,
        prior_initial.sid_pair_count as sid_pairs,
        prior_initial.sid_prior_probability,
        record_pairs.all_pairs
    from levels_and_prior
    cross join prior_initial
    cross join record_pairs
)

select * from counted
