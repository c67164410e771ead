{#- Counts long-form spells (int_program_spells_by_dimension) into report cells: by calendar
    and by fiscal year of `year_prefix` (start or end), for each agency and statewide, each
    category and all categories, with optional extra grouping columns. `measures` maps output
    column -> aggregate expression. Statewide and all-category rows come from grouping sets,
    so a person counts once in a statewide distinct count even if several agencies held them. -#}
{% macro cts_aggregate_cells(relation, year_prefix, measures, extra_columns=[], where='1 = 1') -%}
    {%- set keys = ['period_type', 'period_year', 'dimension', 'dimension_value'] + extra_columns -%}
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
        select
            {{ keys | join(',\n            ') }},
            coalesce(agency_code, 'ALL') as agency_code,
            coalesce(category_code, 'ALL') as category_code,
            {%- for name, expression in measures.items() %}
            {{ expression }} as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from by_period
        group by grouping sets (
            ({{ keys | join(', ') }}, agency_code, category_code),
            ({{ keys | join(', ') }}, agency_code),
            ({{ keys | join(', ') }}, category_code),
            ({{ keys | join(', ') }})
        )
    )

    select * from aggregated
{%- endmacro %}
