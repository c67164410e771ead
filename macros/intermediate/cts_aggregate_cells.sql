{#- Counts long-form spells (int_program_spells_split_by_dimension) into report cells: by calendar
    and by fiscal year of `year_prefix` (start or end), for each agency and statewide (ALL),
    each category and all categories (ALL), with optional extra grouping columns: `events`
    (rows) and `persons` (distinct person_id; only on the dimensions listed in
    `persons_dimensions` when given, null on the others). Each rollup is its own grouped
    select, so a person counts once in a statewide distinct count even if several agencies
    held them. Only report cells are counted (int_report_cells_enumerated): a cell crosses at most two of
    agency, category and demographic dimension, so agency by category is counted on dimension
    ALL only.

    Performance: at full scale the rollups count distinct persons over some 14 million rows.
    Grouped on the text keys that takes minutes; so every key is first replaced by an integer
    (value groups, agencies, categories and persons are numbered in small lookups), the
    rollups count integers, and the keys are looked up again at the end. The lookups join
    null-safely (`cts_null_safe_equal`), so a null key is counted as its own value, as a plain
    group by would. The numbered rows keep both years as columns, and each rollup is counted
    once per kind of year: unioning the two kinds first doubled the rows the numbering joins and
    keeps (14 million instead of 7 million; full scale, one thread: 17.1 s -> 14.4 s for
    int_enrollments_counted). -#}
{% macro cts_aggregate_cells(
    relation, year_prefix, events, persons, extra_columns=[], where='1 = 1',
    persons_dimensions=none
) -%}
    {%- set value_keys = ['dimension', 'dimension_value'] + extra_columns -%}
    {%- set periods = [('CALENDAR_YEAR', 'calendar_year'), ('FISCAL_YEAR', 'fiscal_year')] -%}
    {%- if persons_dimensions is none %}
    {%- set persons_counted = 'true' %}
    {%- else %}
    {%- set persons_counted = "value_groups.dimension in ('" ~ persons_dimensions | join("', '") ~ "')" %}
    {%- endif %}
    {%- set numbered_keys = [
        ('agency_code', 'agency'), ('category_code', 'category'), ('person_id', 'person')
    ] -%}
    {%- set rollups = [
        ('agency_number', 'category_number'),
        ('agency_number', '0'),
        ('0', 'category_number'),
        ('0', '0'),
    ] -%}
    with

    rows_in_scope as (
        select * from {{ relation }}
        where {{ where }}
    ),

    value_groups as (
        select
            row_number() over (order by {{ value_keys | join(', ') }}) as value_group_number,
            {{ value_keys | join(',\n            ') }}
        from (
            select distinct {{ value_keys | join(', ') }}
            from rows_in_scope
        ) as distinct_values
    ),

    {%- for key, name in numbered_keys %}

    {{ name }}_numbers as (
        select
            {{ key }},
            row_number() over (order by {{ key }}) as {{ name }}_number
        from (
            select distinct {{ key }}
            from rows_in_scope
        ) as distinct_{{ name }}s
    ),
    {%- endfor %}

    numbered as (
        select
            {%- for period_type, suffix in periods %}
            rows_in_scope.{{ year_prefix }}_{{ suffix }} as {{ suffix }},
            {%- endfor %}
            value_groups.value_group_number,
            value_groups.dimension = 'ALL' as is_all_dimension,
            agency_numbers.agency_number,
            category_numbers.category_number,
            case when {{ persons_counted }} then person_numbers.person_number end as person_number
        from rows_in_scope
        inner join value_groups
            on
                {%- for key in value_keys %}
                {{ cts_null_safe_equal('rows_in_scope.' ~ key, 'value_groups.' ~ key) }}
                {%- if not loop.last %}
                and{% endif %}
                {%- endfor %}
        {%- for key, name in numbered_keys %}
        inner join {{ name }}_numbers
            on {{ cts_null_safe_equal('rows_in_scope.' ~ key, name ~ '_numbers.' ~ key) }}
        {%- endfor %}
    ),

    aggregated as (
        {%- for period_type, suffix in periods %}
        {%- set outer_loop = loop %}
        {%- for agency_expression, category_expression in rollups %}
        select
            '{{ period_type }}' as period_type,
            {{ suffix }} as period_year,
            value_group_number,
            {{ agency_expression }} as agency_number,
            {{ category_expression }} as category_number,
            count(*) as {{ events }},
            count(distinct person_number) as {{ persons }}
        from numbered
        where
            {{ suffix }} is not null
            {%- if agency_expression != '0' and category_expression != '0' %}
            and is_all_dimension
            {%- endif %}
        group by
            {{ suffix }},
            value_group_number
            {%- if agency_expression == 'agency_number' %},
            agency_number
            {%- endif %}
            {%- if category_expression == 'category_number' %},
            category_number
            {%- endif %}
        {%- if not (outer_loop.last and loop.last) %}
        union all
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
    ),

    keys_restored as (
        select
            aggregated.period_type,
            aggregated.period_year,
            {%- for key in value_keys %}
            value_groups.{{ key }},
            {%- endfor %}
            case
                when aggregated.agency_number = 0 then 'ALL' else agency_numbers.agency_code
            end as agency_code,
            case
                when aggregated.category_number = 0 then 'ALL'
                else category_numbers.category_code
            end as category_code,
            aggregated.{{ events }},
            case when {{ persons_counted }} then aggregated.{{ persons }} end as {{ persons }}
        from aggregated
        inner join value_groups
            on aggregated.value_group_number = value_groups.value_group_number
        left join agency_numbers
            on aggregated.agency_number = agency_numbers.agency_number
        left join category_numbers
            on aggregated.category_number = category_numbers.category_number
    )

    select * from keys_restored
{%- endmacro %}
