{#- Types and functions spelled differently per engine, one dispatched macro each. -#}

{#- An 8-byte floating-point type (DuckDB `double`, PostgreSQL `double precision`). -#}
{% macro cts_type_double() -%}
    {{ return(adapter.dispatch('cts_type_double', 'cts_programs')()) }}
{%- endmacro %}

{% macro default__cts_type_double() -%}
    double
{%- endmacro %}

{% macro postgres__cts_type_double() -%}
    double precision
{%- endmacro %}


{#- The part_number-th part of `string` split on `delimiter`, part_number a column or number
    (positive). dbt.split_part takes only a literal number on PostgreSQL. -#}
{% macro cts_split_part(string, delimiter, part_number) -%}
    {{ return(adapter.dispatch('cts_split_part', 'cts_programs')(
        string, delimiter, part_number)) }}
{%- endmacro %}

{% macro default__cts_split_part(string, delimiter, part_number) -%}
    {{ dbt.split_part(string, delimiter, part_number) }}
{%- endmacro %}

{% macro postgres__cts_split_part(string, delimiter, part_number) -%}
    split_part({{ string }}, {{ delimiter }}, {{ part_number }})
{%- endmacro %}

{% macro spark__cts_split_part(string, delimiter, part_number) -%}
    split_part({{ string }}, {{ delimiter }}, {{ part_number }})
{%- endmacro %}


{#- A pre-hook for models whose CTEs PostgreSQL's planner misjudges: it estimates a row or two
    for filtered CTEs and nests loops over thousands of rows. `set local` lasts for the model's
    transaction only. Nothing on the other engines (dbt skips an empty hook). -#}
{% macro cts_avoid_nested_loops() -%}
    {{ return(adapter.dispatch('cts_avoid_nested_loops', 'cts_programs')()) }}
{%- endmacro %}

{% macro default__cts_avoid_nested_loops() -%}
{%- endmacro %}

{% macro postgres__cts_avoid_nested_loops() -%}
    set local enable_nestloop = off
{%- endmacro %}


{#- Spark: dbt's `cast`, with `varchar` read as Spark's `string` (Spark wants a length on
    varchar). dbt casts null to each declared type to check a model contract, so the contracts
    keep one spelling, `varchar`, on every engine. Found first through `dispatch` in
    dbt_project.yml. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'string' if type | trim | lower == 'varchar' else type }})
{%- endmacro %}


{#- Integer division of two non-negative integers, rounded down (`/` divides integers exactly
    into a double on DuckDB, into an integer on PostgreSQL). -#}
{% macro cts_integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('cts_integer_divide', 'cts_programs')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__cts_integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro postgres__cts_integer_divide(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) / cast({{ divisor }} as bigint))
{%- endmacro %}

{% macro spark__cts_integer_divide(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) div cast({{ divisor }} as bigint))
{%- endmacro %}


{#- A join condition that matches null with null, as `is not distinct from` does, in a form
    each engine can hash-join on. PostgreSQL cannot hash or merge-join on `is not distinct
    from` and nests loops instead (at demo scale the count models never finished); it compares
    the values as text with null read as a character no key holds, chr(1). -#}
{% macro cts_null_safe_equal(left, right) -%}
    {{ return(adapter.dispatch('cts_null_safe_equal', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_null_safe_equal(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}

{% macro postgres__cts_null_safe_equal(left, right) -%}
    coalesce(cast({{ left }} as text), chr(1)) = coalesce(cast({{ right }} as text), chr(1))
{%- endmacro %}


{#- A post-hook for every table and seed: PostgreSQL's statistics of it, taken as soon as it is
    built. dbt does not analyze, autovacuum comes later, and the planner plans the next model
    on a new table's defaults: at demo scale `int_program_spells_enriched` ran 124 s in the
    build and 3 s by hand once its inputs were analyzed. Nothing on the other engines. -#}
{% macro cts_analyze_table() -%}
    {{ return(adapter.dispatch('cts_analyze_table', 'cts_programs')()) }}
{%- endmacro %}

{% macro default__cts_analyze_table() -%}
{%- endmacro %}

{% macro postgres__cts_analyze_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental', 'seed') -%}
    analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
