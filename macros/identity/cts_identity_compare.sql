{#- Comparison levels of the identity linkage (Fellegi-Sunter). Every comparison maps a pair of
    person records (columns of int_identity_records_prepared, under the aliases `left_record` and
    `right_record`, and their custody periods, int_identity_custody_periods_prepared) onto one
    named level; int_identity_match_weights_estimated gives each level its m and u
    probabilities. The same macros compare candidate pairs, random pairs (for u) and the members
    of a cluster (conflict checks), so the three can never disagree. -#}

{#- The comparisons, in the order the weights table lists them. -#}
{% macro cts_identity_comparisons() -%}
    {{ return([
        'first_name', 'last_name', 'middle_name', 'birth_date', 'sex', 'race', 'sid', 'custody']) }}
{%- endmacro %}


{#- True when two names are one keying error apart. -#}
{% macro cts_identity_is_typo(left, right) -%}
    (
        {{ cts_edit_distance(left, right) }} <= 1
        or {{ cts_jaro_winkler(left, right) }} >= {{ var('identity_typo_similarity') }}
    )
{%- endmacro %}


{#- True when two strings are exactly one edit apart (cts_edit_distance = 1), the edit distance
    computed only where a cheap necessary condition holds. Two strings of one length n one edit
    apart differ by one substitution at position i or one transposition of positions i and i + 1
    (an insertion needs a deletion to keep the length: two edits). If i >= `split`, their first
    `split` characters agree; otherwise every character after position `split` + 1 does. So where
    neither agrees (most pairs of different SIDs or birth dates) the distance is not 1, and is
    not computed: 3.8 million candidate pairs compared in 7 s instead of 13 (full scale). -#}
{% macro cts_identity_one_edit_apart(left, right, split) -%}
    (
        (
            length({{ left }}) != length({{ right }})
            or left({{ left }}, {{ split }}) = left({{ right }}, {{ split }})
            or substr({{ left }}, {{ split + 2 }}) = substr({{ right }}, {{ split + 2 }})
        )
        and {{ cts_edit_distance(left, right) }} = 1
    )
{%- endmacro %}


{#- True when both names are common ones (each carried by at least `identity_common_name_records`
    records): two different common names close in spelling (SCHMIDT, SCHMITT) are two names, not
    a typo of one (level other_common_name). -#}
{% macro cts_identity_both_common(left, right, column) -%}
    (
        {{ left }}.{{ column }}_records >= {{ var('identity_common_name_records') }}
        and {{ right }}.{{ column }}_records >= {{ var('identity_common_name_records') }}
    )
{%- endmacro %}


{#- True when two names sound alike (same phonetic key) or are close in spelling (Jaro-Winkler at
    least `identity_similar_similarity`): the two weaker agreements after a typo. `similarity`:
    the alias of the two names' row of cts_identity_name_similarities. -#}
{% macro cts_identity_name_closeness(left, right, column, similarity) -%}
    case
        when {{ left }}.{{ column }}_phonetic = {{ right }}.{{ column }}_phonetic then 'phonetic'
        when {{ similarity }}.similarity >= {{ var('identity_similar_similarity') }} then 'similar'
    end
{%- endmacro %}


{#- Each distinct pair of two different names in `column` (first_name_clean, last_name_clean) of
    the two records of `pairs`, with how close their spellings are: whether they are a typo apart
    (cts_identity_is_typo) and their Jaro-Winkler similarity. The string functions run once per
    pair of names, not once per pair of records: at full scale the 3.8 million candidate pairs
    hold some 79,000 distinct pairs of first names and 100,000 of last names. -#}
{% macro cts_identity_name_similarities(pairs, records, column) -%}
    select
        left_name,
        right_name,
        {{ cts_identity_is_typo('left_name', 'right_name') }} as is_typo,
        {{ cts_jaro_winkler('left_name', 'right_name') }} as similarity
    from (
        select distinct
            left_record.{{ column }} as left_name,
            right_record.{{ column }} as right_name
        from {{ pairs }}
        inner join {{ records }} as left_record
            on {{ pairs }}.left_record_key = left_record.record_key
        inner join {{ records }} as right_record
            on {{ pairs }}.right_record_key = right_record.record_key
        where left_record.{{ column }} != right_record.{{ column }}
    ) as name_pairs
{%- endmacro %}


{#- exact | swapped (first <-> last) | nickname (seed pair, or one name the start of the other)
    | initial | other_common_name (two different common names close in spelling) | typo | phonetic (same phonetic key) | similar (close spelling) | different
    | missing -#}
{% macro cts_identity_first_name_level(left, right, is_nickname, similarity) -%}
    case
        when {{ left }}.first_name_clean is null or {{ right }}.first_name_clean is null
            then 'missing'
        when {{ left }}.first_name_clean = {{ right }}.first_name_clean then 'exact'
        when
            {{ left }}.first_name_clean = {{ right }}.last_name_clean
            and {{ left }}.last_name_clean = {{ right }}.first_name_clean
            then 'swapped'
        when length({{ left }}.first_name_clean) = 1 or length({{ right }}.first_name_clean) = 1
            then case
                when left({{ left }}.first_name_clean, 1) = left({{ right }}.first_name_clean, 1)
                    then 'initial'
                else 'different'
            end
        when {{ is_nickname }} then 'nickname'
        when
            {{ cts_identity_both_common(left, right, 'first_name') }}
            and (
                {{ similarity }}.is_typo
                or {{ cts_identity_name_closeness(left, right, 'first_name', similarity) }} is not null
            )
            then 'other_common_name'
        when
            least(length({{ left }}.first_name_clean), length({{ right }}.first_name_clean)) >= 3
            and (
                left({{ right }}.first_name_clean, length({{ left }}.first_name_clean))
                = {{ left }}.first_name_clean
                or left({{ left }}.first_name_clean, length({{ right }}.first_name_clean))
                = {{ right }}.first_name_clean
            )
            then 'nickname'
        when {{ similarity }}.is_typo
            then 'typo'
        else coalesce({{ cts_identity_name_closeness(left, right, 'first_name', similarity) }}, 'different')
    end
{%- endmacro %}


{#- exact | swapped | hyphenated (one surname part of the other's compound form)
    | other_common_name | typo | phonetic | similar | different_female (both women: a surname change) | different
    | missing -#}
{% macro cts_identity_last_name_level(left, right, similarity) -%}
    case
        when {{ left }}.last_name_clean is null or {{ right }}.last_name_clean is null
            then 'missing'
        when {{ left }}.last_name_clean = {{ right }}.last_name_clean then 'exact'
        when
            {{ left }}.first_name_clean = {{ right }}.last_name_clean
            and {{ left }}.last_name_clean = {{ right }}.first_name_clean
            then 'swapped'
        when
            ({{ left }}.has_compound_last_name or {{ right }}.has_compound_last_name)
            and (
                {{ left }}.last_name_first_part = {{ right }}.last_name_first_part
                or {{ left }}.last_name_last_part = {{ right }}.last_name_last_part
                or {{ left }}.last_name_first_part = {{ right }}.last_name_last_part
                or {{ left }}.last_name_last_part = {{ right }}.last_name_first_part
            )
            then 'hyphenated'
        when
            {{ cts_identity_both_common(left, right, 'last_name') }}
            and (
                {{ similarity }}.is_typo
                or {{ cts_identity_name_closeness(left, right, 'last_name', similarity) }} is not null
            )
            then 'other_common_name'
        when {{ similarity }}.is_typo
            then 'typo'
        when {{ cts_identity_name_closeness(left, right, 'last_name', similarity) }} is not null
            then {{ cts_identity_name_closeness(left, right, 'last_name', similarity) }}
        when {{ left }}.sex_code = 'F' and {{ right }}.sex_code = 'F' then 'different_female'
        else 'different'
    end
{%- endmacro %}


{#- agree | disagree | missing, on the middle name: agree when the initials agree and either one
    is only an initial or the two full names are at most a typo apart. -#}
{% macro cts_identity_middle_name_level(left, right) -%}
    case
        when {{ left }}.middle_initial is null or {{ right }}.middle_initial is null
            then 'missing'
        when {{ left }}.middle_initial != {{ right }}.middle_initial then 'disagree'
        when
            length({{ left }}.middle_name_clean) = 1
            or length({{ right }}.middle_name_clean) = 1
            or {{ cts_identity_is_typo(left ~ '.middle_name_clean', right ~ '.middle_name_clean') }}
            then 'agree'
        else 'disagree'
    end
{%- endmacro %}


{#- exact | day_month_swap | year_off_by_century | year_off_by_one | one_digit_off
    | two_parts_agree (two of year, month and day agree: one of them replaced) | different
    | missing -#}
{% macro cts_identity_birth_date_level(left, right) -%}
    case
        when {{ left }}.birth_date is null or {{ right }}.birth_date is null then 'missing'
        when {{ left }}.birth_date = {{ right }}.birth_date then 'exact'
        when
            {{ left }}.birth_year = {{ right }}.birth_year
            and {{ left }}.birth_month = {{ right }}.birth_day
            and {{ left }}.birth_day = {{ right }}.birth_month
            then 'day_month_swap'
        when
            {{ left }}.birth_month = {{ right }}.birth_month
            and {{ left }}.birth_day = {{ right }}.birth_day
            and abs({{ left }}.birth_year - {{ right }}.birth_year) = 100
            then 'year_off_by_century'
        when
            {{ left }}.birth_month = {{ right }}.birth_month
            and {{ left }}.birth_day = {{ right }}.birth_day
            and abs({{ left }}.birth_year - {{ right }}.birth_year) = 1
            then 'year_off_by_one'
        when {{ cts_identity_one_edit_apart(
            left ~ '.birth_date_text', right ~ '.birth_date_text', 4) }}
            then 'one_digit_off'
        when
            case when {{ left }}.birth_year = {{ right }}.birth_year then 1 else 0 end
            + case when {{ left }}.birth_month = {{ right }}.birth_month then 1 else 0 end
            + case when {{ left }}.birth_day = {{ right }}.birth_day then 1 else 0 end = 2
            then 'two_parts_agree'
        else 'different'
    end
{%- endmacro %}


{#- agree | disagree | missing, for a code column where null means unknown. -#}
{% macro cts_identity_code_level(left, right, column) -%}
    case
        when {{ left }}.{{ column }} is null or {{ right }}.{{ column }} is null then 'missing'
        when {{ left }}.{{ column }} = {{ right }}.{{ column }} then 'agree'
        else 'disagree'
    end
{%- endmacro %}


{#- same | one_edit (a keying error) | different | missing (either SID not VALID). -#}
{% macro cts_identity_sid_level(left, right) -%}
    case
        when {{ left }}.sid_status != 'VALID' or {{ right }}.sid_status != 'VALID' then 'missing'
        when {{ left }}.sid = {{ right }}.sid then 'same'
        when {{ cts_identity_one_edit_apart(left ~ '.sid', right ~ '.sid', 6) }} then 'one_edit'
        else 'different'
    end
{%- endmacro %}


{#- apart | overlap (the two records were held in custody over the same days, at least
    `identity_custody_overlap_min_days` of them: one person cannot be held twice at once; a
    transfer's release and admission may share a day) | missing (either record has no custody
    period with both ends known). `overlap_days` is the longest overlap of any two periods of
    the two records, null when either has none. -#}
{% macro cts_identity_custody_level(overlap_days) -%}
    case
        when {{ overlap_days }} is null then 'missing'
        when {{ overlap_days }} >= {{ var('identity_custody_overlap_min_days') }} then 'overlap'
        else 'apart'
    end
{%- endmacro %}


{#- Every pair of records of one group (a cluster, a person), each once: (left_record_key,
    right_record_key, `group_column`), the left key the smaller. `members` has record_key and
    `group_column`; `where`, a condition on the left member (e.g. the cluster's size). -#}
{% macro cts_identity_member_pairs(members, group_column, where=none) -%}
    select
        left_member.record_key as left_record_key,
        right_member.record_key as right_record_key,
        left_member.{{ group_column }}
    from {{ members }} as left_member
    inner join {{ members }} as right_member
        on
            left_member.{{ group_column }} = right_member.{{ group_column }}
            and left_member.record_key < right_member.record_key
    {%- if where %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}


{#- A select of `pairs` (left_record_key, right_record_key) with every comparison level, the
    name frequencies used for term-frequency adjustment and any extra pair columns asked for.
    `records` is int_identity_records_prepared (or a CTE of it), `name_variants`
    int_identity_name_variants_expanded, `custody_periods` int_identity_custody_periods_prepared.
-#}
{% macro cts_identity_compare_pairs(
    pairs, records, name_variants, custody_periods, pair_columns=[]) -%}
    select
        {{ pairs }}.left_record_key,
        {{ pairs }}.right_record_key,
        {%- for column in pair_columns %}
        {{ pairs }}.{{ column }},
        {%- endfor %}
        {{ cts_identity_first_name_level(
            'left_record', 'right_record', name_variants ~ '.first_name_clean is not null',
            'first_name_similarity') }}
        as first_name_level,
        {{ cts_identity_last_name_level('left_record', 'right_record', 'last_name_similarity') }}
        as last_name_level,
        {{ cts_identity_middle_name_level('left_record', 'right_record') }} as middle_name_level,
        {{ cts_identity_birth_date_level('left_record', 'right_record') }} as birth_date_level,
        {{ cts_identity_code_level('left_record', 'right_record', 'sex_code') }} as sex_level,
        {{ cts_identity_code_level('left_record', 'right_record', 'race_code') }} as race_level,
        {{ cts_identity_sid_level('left_record', 'right_record') }} as sid_level,
        {{ cts_identity_custody_level('custody_overlaps.overlap_days') }} as custody_level,
        left_record.first_name_frequency,
        left_record.last_name_frequency,
        left_record.full_name_frequency
    from {{ pairs }}
    inner join {{ records }} as left_record
        on {{ pairs }}.left_record_key = left_record.record_key
    inner join {{ records }} as right_record
        on {{ pairs }}.right_record_key = right_record.record_key
    left join {{ name_variants }}
        on
            left_record.first_name_clean = {{ name_variants }}.first_name_clean
            and right_record.first_name_clean = {{ name_variants }}.variant_first_name_clean
    left join (
        {{ cts_identity_name_similarities(pairs, records, 'first_name_clean') }}
    ) as first_name_similarity
        on
            left_record.first_name_clean = first_name_similarity.left_name
            and right_record.first_name_clean = first_name_similarity.right_name
    left join (
        {{ cts_identity_name_similarities(pairs, records, 'last_name_clean') }}
    ) as last_name_similarity
        on
            left_record.last_name_clean = last_name_similarity.left_name
            and right_record.last_name_clean = last_name_similarity.right_name
    left join (
        select
            {{ pairs }}.left_record_key,
            {{ pairs }}.right_record_key,
            max({{ dbt.datediff(
                'greatest(left_period.admission_date, right_period.admission_date)',
                'least(left_period.release_date, right_period.release_date)', 'day') }})
                as overlap_days
        from {{ pairs }}
        inner join {{ custody_periods }} as left_period
            on {{ pairs }}.left_record_key = left_period.record_key
        inner join {{ custody_periods }} as right_period
            on {{ pairs }}.right_record_key = right_period.record_key
        group by {{ pairs }}.left_record_key, {{ pairs }}.right_record_key
    ) as custody_overlaps
        on
            {{ pairs }}.left_record_key = custody_overlaps.left_record_key
            and {{ pairs }}.right_record_key = custody_overlaps.right_record_key
{%- endmacro %}


{#- True when a pair's levels say two different people: birth dates that no known error explains
    (unless the SID is the same) or that differ together with a first or last name (beyond typos,
    nicknames, hyphenation and a woman's surname change); birth dates that disagree in a way a
    keying error explains (one digit, a year, day and month swapped, two parts of three) together
    with a first or last name that is misspelt or another name (not a nickname, a swap, a
    hyphenation or a woman's surname change), with no SID to join them: an error in one field is
    common, errors in both on one pair are what look-alikes show; two valid SIDs more than one edit
    apart (at full scale, records with equal names and birth dates but different valid SIDs are
    mostly different people); twins: the same surname and birth date under different first
    names, with no middle initial or SID to join them; or two records held in custody over the
    same days (level `overlap`: one person cannot be held twice at once) with no SID to join
    them. Expects the level columns under `relation`. -#}
{% macro cts_identity_is_conflict(relation) -%}
    (
        (
            {{ relation }}.birth_date_level = 'different'
            and (
                {{ relation }}.sid_level != 'same'
                or {{ relation }}.first_name_level in ('different', 'other_common_name')
                or {{ relation }}.last_name_level in ('different', 'other_common_name')
            )
        )
        or (
            {{ relation }}.birth_date_level not in ('exact', 'different', 'missing')
            and {{ relation }}.sid_level not in ('same', 'one_edit')
            and (
                {{ relation }}.first_name_level
                in ('initial', 'other_common_name', 'typo', 'phonetic', 'similar', 'different')
                or {{ relation }}.last_name_level
                in ('other_common_name', 'typo', 'phonetic', 'similar', 'different')
            )
        )
        or {{ relation }}.sid_level = 'different'
        or (
            {{ relation }}.first_name_level = 'different'
            and {{ relation }}.last_name_level = 'exact'
            and {{ relation }}.birth_date_level = 'exact'
            and {{ relation }}.middle_name_level != 'agree'
            and {{ relation }}.sid_level not in ('same', 'one_edit')
        )
        or (
            {{ relation }}.custody_level = 'overlap'
            and {{ relation }}.sid_level not in ('same', 'one_edit')
        )
    )
{%- endmacro %}


{#- The weight of a comparison level from its m and u: log2(m / u), except that a `missing` level
    weighs nothing and no partial agreement weighs more than exact agreement (level 1) of the
    same field. Expects comparison_name, comparison_level and level_order in scope; a window
    over the comparison's levels. -#}
{% macro cts_identity_bounded_weight(m_probability, u_probability) -%}
    case
        when comparison_level = 'missing' then 0
        when level_order = 1 then {{ cts_log2(m_probability ~ ' / ' ~ u_probability) }}
        else least(
            {{ cts_log2(m_probability ~ ' / ' ~ u_probability) }},
            max(case when level_order = 1 then {{ cts_log2(m_probability ~ ' / ' ~ u_probability) }} end)
                over (partition by comparison_name)
        )
    end
{%- endmacro %}
