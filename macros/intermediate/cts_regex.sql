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

{% macro spark__cts_regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}


{#- Every match of `pattern` in `expression` replaced by `replacement`. -#}
{% macro cts_regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('cts_regex_replace_all', 'cts_programs')(
        expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
