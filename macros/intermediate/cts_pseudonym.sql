{#- Keyed pseudonym of an internal identifier: HMAC-SHA256 under a secret that never appears
    in SQL. On DuckDB the function is registered by the cts.pseudonym dbt-duckdb plugin, which
    reads CTS_PSEUDONYM_KEY from the environment. -#}
{% macro cts_pseudonym(expression) -%}
    {{ return(adapter.dispatch('cts_pseudonym', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_pseudonym(expression) -%}
    {{ exceptions.raise_compiler_error(
        "cts_pseudonym has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_pseudonym(expression) -%}
    cts_pseudonym({{ expression }})
{%- endmacro %}

{#- PostgreSQL: pgcrypto's HMAC under the session setting cts.pseudonym_key, which cts sets
    through PGOPTIONS (never written into a model): cts_engine.cts_pseudonym. -#}
{% macro postgres__cts_pseudonym(expression) -%}
    cts_engine.cts_pseudonym({{ expression }})
{%- endmacro %}

{#- Spark: a session function cts registers with the key read from the environment then (never
    in SQL; cts.engines.spark). -#}
{% macro spark__cts_pseudonym(expression) -%}
    cts_pseudonym({{ expression }})
{%- endmacro %}
