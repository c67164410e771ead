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
