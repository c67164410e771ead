{#- Published counts of one declared table back in wide form: for each measure, the published
    value (null when suppressed), `<measure>_suppression` (SUPPRESSED or null) and
    `<measure>_true`, grouped by the table's key columns. Measures and keys come from the
    declaration (`vars.publication`). Reads int_published_counts_protected. -#}
{% macro cts_published_measures(table) -%}
    {%- set keys = cts_publication_key_columns(table) -%}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in cts_publication_measures(table) %}
        max(case when measure = '{{ measure }}' then published_value end) as {{ measure }},
        max(case when measure = '{{ measure }}' then suppression end)
            as {{ measure }}_suppression,
        max(case when measure = '{{ measure }}' then true_value end) as {{ measure }}_true
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_published_counts_protected') }}
    where mart = '{{ table }}'
    group by {{ keys | join(', ') }}
{%- endmacro %}


{#- Every declared rate of `table`, from the wide counts in `relation` (cts_published_measures):
    each rate and its `_suppression`, by cts_published_rate. A rate is withheld with its parts,
    or with the counts its declaration lists under `withheld_with`. -#}
{% macro cts_published_rates(table, relation) -%}
    {%- for name, rate in cts_publication_table(table).get('rates', {}).items() %}
    {%- set numerator, denominator, parts = [], [], [] %}
    {%- for measure in rate['numerator'] %}
        {%- do numerator.append(relation ~ '.' ~ measure ~ '_true') %}
    {%- endfor %}
    {%- for measure in rate['denominator'] %}
        {%- do denominator.append(relation ~ '.' ~ measure ~ '_true') %}
    {%- endfor %}
    {%- for measure in rate.get('withheld_with') or (rate['numerator'] + rate['denominator']) %}
        {%- set flag = relation ~ '.' ~ measure ~ '_suppression' %}
        {%- if flag not in parts %}{% do parts.append(flag) %}{% endif %}
    {%- endfor %}
        {{ cts_published_rate(
            numerator | join(' + '), denominator | join(' + '), name, parts, rate['decimals']
        ) }}
    {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- A rate published only when none of the counts it is built from is suppressed (else DERIVED,
    checked first: a PRIMARY flag on a rate whose parts are withheld would tell that they add up
    to at most the threshold) and its denominator is above the threshold (else PRIMARY). Emits `<name>` and
    `<name>_suppression`. `parts` are the suppression-flag columns of those counts; `decimals`
    the published rounding: half up, exactly, in integers (floor((2 * 10^decimals * numerator +
    denominator) / (2 * denominator))), so that every engine rounds 51/160 = 0.31875 to 0.3188;
    through a double, DuckDB made it 0.3187 and Spark 0.3188. -#}
{% macro cts_published_rate(numerator, denominator, name, parts, decimals=4) -%}
    {%- set denominator = '(' ~ denominator ~ ')' -%}
    {%- set withheld_for_part -%}
        ({%- for part in parts %}{{ part }} is not null{{ ' or ' if not loop.last }}{% endfor -%})
    {%- endset -%}
    case
        when {{ withheld_for_part }} then null
        when {{ denominator }} = 0 then null
        when {{ denominator }} <= {{ var('suppression_threshold') }} then null
        else cast(
            cast({{ cts_integer_divide(
                '2 * ' ~ 10 ** decimals ~ ' * (' ~ numerator ~ ') + ' ~ denominator,
                '2 * ' ~ denominator
            ) }} as decimal(18, 0)) / {{ 10 ** decimals }}
            as decimal({{ 3 + decimals }}, {{ decimals }})
        )
    end as {{ name }},
    case
        when {{ withheld_for_part }} then 'DERIVED'
        when {{ denominator }} = 0 then null
        when {{ denominator }} <= {{ var('suppression_threshold') }} then 'PRIMARY'
    end as {{ name }}_suppression
{%- endmacro %}
