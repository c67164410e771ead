-- Every candidate pair scored: the prior log-odds plus the weight of each comparison level, the
-- exact-name weights adjusted for how common the name is (a shared rare surname says more than a
-- shared common one). Where pairs of SID holders label a pattern of the other levels, the
-- pattern is recalibrated for the pairs without both SIDs: its log-odds move by the difference
-- between the labelled share of same-SID pairs (smoothed towards the model by
-- `identity_calibration_prior_pairs` pseudo-pairs) and the model's mean probability for those
-- pairs without their SID weight. Then a match probability. The link threshold comes from the data
-- too: among the thresholds of `identity_link_threshold_grid`, the one with the best expected F1
-- (expected true links = the sum of the probabilities of the pairs linked, false links = the sum
-- of their complements, missed = the sum of the probabilities of the pairs left unlinked) whose
-- expected precision is at least `identity_min_expected_precision` (the highest threshold if
-- none reaches it). A pair is linked at that threshold unless its levels conflict (different
-- people: see cts_identity_is_conflict; conflicting pairs are left out of the expectations); a
-- link is strong when the SID agrees (or is one edit off) with no disagreement on birth date and
-- first name, when name and birth date agree outright, or when its probability reaches
-- `identity_strong_link_threshold`. One row per candidate pair.
{#- The comparisons whose pattern the SID-holder pairs label: all but the SID. -#}
{%- set pattern_comparisons = [
    'first_name', 'last_name', 'middle_name', 'birth_date', 'sex', 'race'] %}
with

pairs_compared as (
    select * from {{ ref('int_identity_pairs_compared') }}
),

match_weights as (
    select * from {{ ref('int_identity_match_weights_estimated') }}
),

exact_name_u as (
    select
        max(case when comparison_name = 'first_name' then u_probability end) as first_name_exact_u,
        max(case when comparison_name = 'last_name' then u_probability end) as last_name_exact_u,
        max(case when comparison_name = 'prior' then match_weight end) as prior_weight
    from match_weights
    where comparison_level in ('exact', 'match')
),

weights_joined as (
    select
        pairs_compared.left_record_key,
        pairs_compared.right_record_key,
        pairs_compared.first_blocking_rule,
        {%- for comparison in cts_identity_comparisons() %}
        pairs_compared.{{ comparison }}_level,
        {%- endfor %}
        pairs_compared.first_name_frequency,
        pairs_compared.last_name_frequency,
        pairs_compared.full_name_frequency,
        exact_name_u.prior_weight,
        {%- for comparison in cts_identity_comparisons() %}
        {{ comparison }}_weights.match_weight as {{ comparison }}_weight,
        {%- endfor %}
        case
            when pairs_compared.first_name_level = 'exact'
                then greatest(least(
                    {{ cts_log2(
                        'exact_name_u.first_name_exact_u'
                        ~ ' / greatest(pairs_compared.first_name_frequency, 1e-9)') }},
                    {{ var('identity_max_term_frequency_bits') }}
                ), -{{ var('identity_max_term_frequency_bits') }})
            else 0
        end as first_name_frequency_adjustment,
        case
            when pairs_compared.last_name_level = 'exact'
                then greatest(least(
                    {{ cts_log2(
                        'exact_name_u.last_name_exact_u'
                        ~ ' / greatest(pairs_compared.last_name_frequency, 1e-9)') }},
                    {{ var('identity_max_term_frequency_bits') }}
                ), -{{ var('identity_max_term_frequency_bits') }})
            else 0
        end as last_name_frequency_adjustment,
        -- both names exact: the full name's own frequency replaces the product of the two
        -- (first and last names go together, by origin and family)
        case
            when
                pairs_compared.first_name_level = 'exact'
                and pairs_compared.last_name_level = 'exact'
                then greatest(least(
                    {{ cts_log2(
                        'greatest(pairs_compared.first_name_frequency'
                        ~ ' * pairs_compared.last_name_frequency, 1e-12)'
                        ~ ' / greatest(pairs_compared.full_name_frequency, 1e-9)') }},
                    {{ var('identity_max_term_frequency_bits') }}
                ), -{{ var('identity_max_term_frequency_bits') }})
            else 0
        end as full_name_frequency_adjustment
    from pairs_compared
    cross join exact_name_u
    {%- for comparison in cts_identity_comparisons() %}
    left join match_weights as {{ comparison }}_weights
        on
            {{ comparison }}_weights.comparison_name = '{{ comparison }}'
            and pairs_compared.{{ comparison }}_level = {{ comparison }}_weights.comparison_level
    {%- endfor %}
),

pairs_weighed as (
    select
        weights_joined.*,
        weights_joined.prior_weight
        {%- for comparison in cts_identity_comparisons() %}
        + weights_joined.{{ comparison }}_weight
        {%- endfor %}
        + weights_joined.first_name_frequency_adjustment
        + weights_joined.last_name_frequency_adjustment
        + weights_joined.full_name_frequency_adjustment as model_match_weight,
        {{ cts_identity_is_conflict('weights_joined') }} as is_conflicting
    from weights_joined
),

-- Pairs of SID holders label the patterns of the other levels for free: among the pairs that a
-- rule other than the SID's brought together, the share whose SIDs agree is how often that
-- pattern (same names and birth date, different middle initials, ...) is one person, whatever
-- the independence of the levels says (look-alikes break it).
pattern_labels as (
    select
        {%- for comparison in pattern_comparisons %}
        {{ comparison }}_level,
        {%- endfor %}
        count(case when sid_level in ('same', 'one_edit') then 1 end) as sid_match_pairs,
        count(*) as sid_labelled_pairs,
        avg(
            1.0 / (1.0 + power(2.0, -least(greatest(model_match_weight - sid_weight, -60), 60)))
        ) as mean_model_probability
    from pairs_weighed
    where sid_level in ('same', 'one_edit', 'different') and first_blocking_rule != 'valid_sid'
    group by
        first_name_level,
        last_name_level,
        middle_name_level,
        birth_date_level,
        sex_level,
        race_level
),

pattern_rates as (
    select
        *,
        greatest(least(mean_model_probability, 1 - 1e-9), 1e-9) as model_rate,
        greatest(least(
            (
                sid_match_pairs
                + {{ var('identity_calibration_prior_pairs') }} * mean_model_probability
            )
            / (sid_labelled_pairs + {{ var('identity_calibration_prior_pairs') }}),
            1 - 1e-9
        ), 1e-9) as labelled_rate
    from pattern_labels
),

pattern_calibration as (
    select
        {%- for comparison in pattern_comparisons %}
        {{ comparison }}_level,
        {%- endfor %}
        sid_match_pairs,
        sid_labelled_pairs,
        {{ cts_log2('labelled_rate / (1 - labelled_rate)') }}
        - {{ cts_log2('model_rate / (1 - model_rate)') }} as calibration_weight
    from pattern_rates
),

pairs_calibrated as (
    select
        pairs_weighed.*,
        case
            when pairs_weighed.sid_level = 'missing'
                then coalesce(pattern_calibration.calibration_weight, 0)
            else 0
        end as pattern_calibration_weight
    from pairs_weighed
    left join pattern_calibration
        on
            pairs_weighed.first_name_level = pattern_calibration.first_name_level
            and pairs_weighed.last_name_level = pattern_calibration.last_name_level
            and pairs_weighed.middle_name_level = pattern_calibration.middle_name_level
            and pairs_weighed.birth_date_level = pattern_calibration.birth_date_level
            and pairs_weighed.sex_level = pattern_calibration.sex_level
            and pairs_weighed.race_level = pattern_calibration.race_level
),

pairs_scored as (
    select
        *,
        model_match_weight + pattern_calibration_weight as match_weight,
        1.0 / (
            1.0 + power(
                2.0, -least(greatest(model_match_weight + pattern_calibration_weight, -60), 60)
            )
        ) as match_probability
    from pairs_calibrated
),

threshold_grid as (
    {%- for threshold in var('identity_link_threshold_grid') %}
    select cast({{ threshold }} as {{ cts_type_double() }}) as link_threshold
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

expectations_by_threshold as (
    select
        threshold_grid.link_threshold,
        sum(case
            when pairs_scored.match_probability >= threshold_grid.link_threshold
                then pairs_scored.match_probability
            else 0
        end) as expected_true_links,
        sum(case
            when pairs_scored.match_probability >= threshold_grid.link_threshold
                then 1 - pairs_scored.match_probability
            else 0
        end) as expected_false_links,
        sum(case
            when pairs_scored.match_probability < threshold_grid.link_threshold
                then pairs_scored.match_probability
            else 0
        end) as expected_missed_links
    from threshold_grid
    cross join pairs_scored
    where not pairs_scored.is_conflicting
    group by threshold_grid.link_threshold
),

expected_f1_by_threshold as (
    select
        link_threshold,
        expected_true_links / nullif(expected_true_links + expected_false_links, 0)
            as expected_precision,
        2 * expected_true_links
        / nullif(2 * expected_true_links + expected_false_links + expected_missed_links, 0)
            as expected_f1
    from expectations_by_threshold
),

thresholds_ranked as (
    select
        link_threshold,
        row_number() over (
            order by
                case
                    when expected_precision >= {{ var('identity_min_expected_precision') }}
                        then 0
                    else 1
                end,
                case
                    when expected_precision >= {{ var('identity_min_expected_precision') }}
                        then coalesce(expected_f1, 0)
                    else 0
                end desc,
                link_threshold desc
        ) as threshold_rank
    from expected_f1_by_threshold
),

threshold_chosen as (
    select
        coalesce(
            max(link_threshold), {{ var('identity_link_threshold_grid') | max }}
        ) as link_threshold
    from thresholds_ranked
    where threshold_rank = 1
),

links_decided as (
    select
        pairs_scored.*,
        threshold_chosen.link_threshold,
        (
            pairs_scored.match_probability >= threshold_chosen.link_threshold
            and not pairs_scored.is_conflicting
        ) as is_link,
        (
            pairs_scored.match_probability >= threshold_chosen.link_threshold
            and not pairs_scored.is_conflicting
            and (
                (
                    pairs_scored.sid_level in ('same', 'one_edit')
                    and pairs_scored.birth_date_level != 'different'
                    and pairs_scored.first_name_level != 'different'
                )
                or (
                    pairs_scored.first_name_level in ('exact', 'nickname')
                    and pairs_scored.last_name_level = 'exact'
                    and pairs_scored.birth_date_level = 'exact'
                )
                or pairs_scored.match_probability >= {{ var('identity_strong_link_threshold') }}
            )
        ) as is_strong_link
    from pairs_scored
    cross join threshold_chosen
)

select * from links_decided
