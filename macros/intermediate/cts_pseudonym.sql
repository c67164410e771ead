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

{#- PostgreSQL: pgcrypto's hmac with the key in the session setting cts.pseudonym_key, set by
    the connection (never written into a model). -#}
{% macro postgres__cts_pseudonym(expression) -%}
    left(encode(hmac({{ expression }}, current_setting('cts.pseudonym_key'), 'sha256'), 'hex'), 16)
{%- endmacro %}
