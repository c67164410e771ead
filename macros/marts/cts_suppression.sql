{#- A count small enough to be suppressed: from 1 to `suppression_threshold` (DOMAIN.md §5);
    zeros are published. -#}
{% macro cts_is_small(column) -%}
    ({{ column }} between 1 and {{ var('suppression_threshold') }})
{%- endmacro %}


{#- Published counts of one mart back in wide form: for each measure, the published value (null
    when suppressed) and `<measure>_suppression` (PRIMARY, COMPLEMENTARY or null), grouped by
    the mart's key columns. Reads int_published_counts_protected. -#}
{% macro cts_published_measures(mart, measures, keys) -%}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        max(case when measure = '{{ measure }}' then published_value end) as {{ measure }},
        max(case when measure = '{{ measure }}' then suppression end)
            as {{ measure }}_suppression,
        max(case when measure = '{{ measure }}' then true_value end) as {{ measure }}_true
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_published_counts_protected') }}
    where mart = '{{ mart }}'
    group by {{ keys | join(', ') }}
{%- endmacro %}


{#- A rate published only when its denominator is above the threshold (else PRIMARY) and none
    of the counts it is built from is suppressed (else DERIVED). Emits `<name>` and
    `<name>_suppression`. `parts` are the suppression-flag columns of those counts. -#}
{% macro cts_published_rate(numerator, denominator, name, parts) -%}
    {%- set denominator = '(' ~ denominator ~ ')' -%}
    {%- set withheld_for_part -%}
        ({%- for part in parts %}{{ part }} is not null{{ ' or ' if not loop.last }}{% endfor -%})
    {%- endset -%}
    case
        when {{ denominator }} = 0 then null
        when {{ denominator }} <= {{ var('suppression_threshold') }} then null
        when {{ withheld_for_part }} then null
        else cast(
            round(cast({{ numerator }} as decimal(18, 6)) / {{ denominator }}, 4)
            as decimal(7, 4)
        )
    end as {{ name }},
    case
        when {{ denominator }} = 0 then null
        when {{ denominator }} <= {{ var('suppression_threshold') }} then 'PRIMARY'
        when {{ withheld_for_part }} then 'DERIVED'
    end as {{ name }}_suppression
{%- endmacro %}


{#- The `having` condition that makes a relation group unsafe, over its suppressed cells (one
    row per suppressed cell with its `suppression`, true `value` and `side` in the group's
    equation, sum of side 1 = sum of side -1). The published cells fix the suppressed cells'
    signed sum S; an attacker who knows PRIMARY means 1..threshold and COMPLEMENTARY means at
    least 0 pins them when S is the least or the greatest signed sum those bounds allow. A
    single suppressed cell is always pinned, and a group whose suppressed cells are all small
    leaves each of them a narrow range: it needs a suppressed cell above the threshold. -#}
{% macro cts_unsafe_group_condition(suppression, value, side) -%}
    {%- set threshold = var('suppression_threshold') -%}
    {%- set is_primary = suppression ~ " = 'PRIMARY'" -%}
    count(*) = 1
    -- only small cells suppressed: the group's remainder bounds every one of them tightly
    or max({{ value }}) <= {{ threshold }}
    or (
        -- no COMPLEMENTARY cell on side -1 leaves the least signed sum bounded
        sum(case when {{ side }} = -1 and not {{ is_primary }} then 1 else 0 end) = 0
        and sum({{ side }} * {{ value }})
        = sum(
            case
                when {{ side }} = 1 and {{ is_primary }} then 1
                when {{ side }} = -1 then -{{ threshold }}
                else 0
            end
        )
    )
    or (
        sum(case when {{ side }} = 1 and not {{ is_primary }} then 1 else 0 end) = 0
        and sum({{ side }} * {{ value }})
        = sum(
            case
                when {{ side }} = 1 then {{ threshold }}
                when {{ side }} = -1 and {{ is_primary }} then -1
                else 0
            end
        )
    )
{%- endmacro %}
