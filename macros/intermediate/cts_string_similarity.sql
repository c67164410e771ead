{#- String similarity in [0, 1] used to match program names never seen before. -#}
{% macro cts_string_similarity(left, right) -%}
    {{ return(adapter.dispatch('cts_string_similarity', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_string_similarity(left, right) -%}
    {{ exceptions.raise_compiler_error(
        "cts_string_similarity has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_string_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}


{#- PostgreSQL: trigram similarity from the pg_trgm extension. -#}
{% macro postgres__cts_string_similarity(left, right) -%}
    similarity({{ left }}, {{ right }})
{%- endmacro %}
