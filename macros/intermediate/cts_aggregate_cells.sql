{#- Counts long-form spells (int_program_spells_by_dimension) into report cells: by calendar
    and by fiscal year of `year_prefix` (start or end), for each agency and statewide (ALL),
    each category and all categories (ALL), with optional extra grouping columns. `measures`
    maps output column -> aggregate expression. Each rollup is its own grouped select, so a
    person counts once in a statewide distinct count even if several agencies held them. -#}
{% macro cts_aggregate_cells(relation, year_prefix, measures, extra_columns=[], where='1 = 1') -%}
    {%- set keys = ['period_type', 'period_year', 'dimension', 'dimension_value'] + extra_columns -%}
    {%- set rollups = [
        ('agency_code', 'category_code'),
        ('agency_code', "'ALL'"),
        ("'ALL'", 'category_code'),
        ("'ALL'", "'ALL'"),
    ] -%}
    with

    by_period as (
        {%- for period_type, suffix in [('CALENDAR_YEAR', 'calendar_year'), ('FISCAL_YEAR', 'fiscal_year')] %}
        select
            '{{ period_type }}' as period_type,
            {{ year_prefix }}_{{ suffix }} as period_year,
            *
        from {{ relation }}
        where {{ year_prefix }}_{{ suffix }} is not null and {{ where }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ),

    aggregated as (
        {%- for agency_expression, category_expression in rollups %}
        select
            {{ keys | join(',\n            ') }},
            {{ agency_expression }} as agency_code,
            {{ category_expression }} as category_code,
            {%- for name, expression in measures.items() %}
            {{ expression }} as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from by_period
        group by
            {{ keys | join(',\n            ') }}
            {%- if agency_expression == 'agency_code' %},
            agency_code
            {%- endif %}
            {%- if category_expression == 'category_code' %},
            category_code
            {%- endif %}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select * from aggregated
{%- endmacro %}
