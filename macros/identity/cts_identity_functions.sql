{#- Engine-specific string functions of the identity linkage, one dispatched macro each
    (the way macros/intermediate/cts_regex.sql isolates regular expressions). -#}

{#- Jaro-Winkler similarity of two strings, in [0, 1]. -#}
{% macro cts_jaro_winkler(left, right) -%}
    {{ return(adapter.dispatch('cts_jaro_winkler', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_jaro_winkler(left, right) -%}
    {{ exceptions.raise_compiler_error(
        "cts_jaro_winkler has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_jaro_winkler(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{#- PostgreSQL: an exact plpgsql version of DuckDB's (macros/engines/cts_engine_functions.sql). -#}
{% macro postgres__cts_jaro_winkler(left, right) -%}
    cts_engine.cts_jaro_winkler({{ left }}, {{ right }})
{%- endmacro %}

{#- Spark: the session function cts registers (cts.engines.functions.jaro_winkler, exact). -#}
{% macro spark__cts_jaro_winkler(left, right) -%}
    cts_jaro_winkler({{ left }}, {{ right }})
{%- endmacro %}


{#- Edit distance counting an adjacent transposition as one edit (Damerau-Levenshtein). -#}
{% macro cts_edit_distance(left, right) -%}
    {{ return(adapter.dispatch('cts_edit_distance', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_edit_distance(left, right) -%}
    levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{% macro duckdb__cts_edit_distance(left, right) -%}
    damerau_levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{#- PostgreSQL: an exact plpgsql version of DuckDB's damerau_levenshtein (never plain
    Levenshtein, which counts a transposition as two edits). -#}
{% macro postgres__cts_edit_distance(left, right) -%}
    cts_engine.cts_damerau_levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__cts_edit_distance(left, right) -%}
    cts_damerau_levenshtein({{ left }}, {{ right }})
{%- endmacro %}


{#- Text without diacritics (José -> Jose). -#}
{% macro cts_strip_accents(expression) -%}
    {{ return(adapter.dispatch('cts_strip_accents', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_strip_accents(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro duckdb__cts_strip_accents(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}

{#- PostgreSQL: decomposition, marks removed, composition, as DuckDB (not the unaccent
    extension, whose rules differ). -#}
{% macro postgres__cts_strip_accents(expression) -%}
    cts_engine.cts_strip_accents({{ expression }})
{%- endmacro %}

{% macro spark__cts_strip_accents(expression) -%}
    cts_strip_accents({{ expression }})
{%- endmacro %}


{#- Base-2 logarithm. -#}
{% macro cts_log2(expression) -%}
    {{ return(adapter.dispatch('cts_log2', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_log2(expression) -%}
    (ln({{ expression }}) / ln(2.0))
{%- endmacro %}

{% macro duckdb__cts_log2(expression) -%}
    log2({{ expression }})
{%- endmacro %}

{#- PostgreSQL: correctly rounded like DuckDB's (cts_engine.cts_log2), not ln(x) / ln(2). -#}
{% macro postgres__cts_log2(expression) -%}
    cts_engine.cts_log2({{ expression }})
{%- endmacro %}

{#- Spark: log2 is not built in, and ln(x) / ln(2) is off in the last bit (cts_log2: Python's,
    correctly rounded). -#}
{% macro spark__cts_log2(expression) -%}
    cts_log2({{ expression }})
{%- endmacro %}
