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


{#- PostgreSQL: the same Jaro-Winkler as DuckDB (never trigram similarity, which maps other
    programs). -#}
{% macro postgres__cts_string_similarity(left, right) -%}
    cts_engine.cts_jaro_winkler({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__cts_string_similarity(left, right) -%}
    cts_jaro_winkler({{ left }}, {{ right }})
{%- endmacro %}
