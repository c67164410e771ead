{#- True when the whole of `expression` matches the regular expression `pattern`. -#}
{% macro cts_regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('cts_regex_full_match', 'cts_programs')(expression, pattern)) }}
{%- endmacro %}

{% macro default__cts_regex_full_match(expression, pattern) -%}
    ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__cts_regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Spark reads backslash escapes in string literals: a pattern's backslashes are doubled. -#}
{% macro spark__cts_regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern | replace('\\', '\\\\') }})$')
{%- endmacro %}


{#- Every match of `pattern` in `expression` replaced by `replacement`. -#}
{% macro cts_regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('cts_regex_replace_all', 'cts_programs')(
        expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Spark: three arguments replace every match (a fourth is a position, and 'g' there gives
    null); backslashes doubled as above. -#}
{% macro spark__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace('\\', '\\\\') }}', '{{ replacement }}')
{%- endmacro %}
