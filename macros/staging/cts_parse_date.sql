{#- Parses a date sent as text in the agency's format; null when unparseable.
    Two-digit years (`%y`) are read with a pivot that puts 69-99 in the 1900s and 00-68 in
    the 2000s; for birth dates anything after the latest plausible adult birth date
    (window end minus 14 years) is moved back a century, fixing the 2068-style errors. -#}
{% macro cts_parse_date(expression, date_format, is_birth_date=false) %}
    {%- set parsed = adapter.dispatch('cts_try_parse_date', 'cts_programs')(
        'trim(' ~ expression ~ ')', date_format) -%}
    {%- if '%y' in date_format and is_birth_date -%}
        case
            when {{ parsed }} > {{ dbt.dateadd('year', -14,
                "cast('" ~ var('window_end_date') ~ "' as date)") }}
                then cast({{ dbt.dateadd('year', -100, parsed) }} as date)
            else {{ parsed }}
        end
    {%- else -%}
        {{ parsed }}
    {%- endif -%}
{% endmacro %}


{% macro default__cts_try_parse_date(expression, date_format) -%}
    {{ exceptions.raise_compiler_error(
        "cts_try_parse_date has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}


{% macro duckdb__cts_try_parse_date(expression, date_format) -%}
    cast(try_strptime({{ expression }}, '{{ date_format }}') as date)
{%- endmacro %}


{#- PostgreSQL: to_date raises on impossible dates and reads two-digit years otherwise, so a
    plpgsql version of DuckDB's reading (cts_engine.cts_try_parse_date) returns null instead. -#}
{% macro postgres__cts_try_parse_date(expression, date_format) -%}
    cts_engine.cts_try_parse_date({{ expression }}, '{{ date_format }}')
{%- endmacro %}


{#- Spark: to_date reads two-digit year 75 as 2075 and patterns differ, so the session
    function cts registers (cts.engines.functions.try_parse_date, DuckDB's reading). -#}
{% macro spark__cts_try_parse_date(expression, date_format) -%}
    cts_try_parse_date({{ expression }}, '{{ date_format }}')
{%- endmacro %}
