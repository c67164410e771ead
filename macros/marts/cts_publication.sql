{#- The publication declared once in dbt_project.yml (`vars.publication`): what the long table of
    counts and the rpt_ marts publish is read from there, never listed again in SQL. -#}

{#- One declared table (its keys, measures and rates); a compile error names an unknown one. -#}
{% macro cts_publication_table(table) -%}
    {%- set tables = var('publication')['tables'] -%}
    {%- if table not in tables -%}
        {{ exceptions.raise_compiler_error(
            'table ' ~ table ~ ' is not declared in vars.publication.tables') }}
    {%- endif -%}
    {{ return(tables[table]) }}
{%- endmacro %}


{#- The names of a declared table's measures (its count columns), in declared order. -#}
{% macro cts_publication_measures(table) -%}
    {{ return(cts_publication_table(table)['measures'] | list) }}
{%- endmacro %}


{#- The key columns of a declared table, or of every declared dimension when `table` is none
    (the long table's key), in declared order. -#}
{% macro cts_publication_key_columns(table=none) -%}
    {%- set dimensions = var('publication')['dimensions'] -%}
    {%- set names = cts_publication_table(table)['keys'] if table else dimensions | list -%}
    {%- set columns = [] -%}
    {%- for name in names -%}
        {%- do columns.extend(dimensions[name]['columns']) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{#- A typed null for a key column the row does not have (integer where the declaration says
    so, else a string). -#}
{% macro cts_publication_null(column) -%}
    {%- set integers = [] -%}
    {%- for dimension in var('publication')['dimensions'].values() -%}
        {%- do integers.extend(dimension.get('integer_columns', [])) -%}
    {%- endfor -%}
    cast(null as {{ dbt.type_int() if column in integers else dbt.type_string() }})
{%- endmacro %}


{#- The select list of a declared table's published measures from `relation`: each measure and
    its `_suppression` flag, in declared order. -#}
{% macro cts_published_columns(table, relation) -%}
    {%- set columns = [] -%}
    {%- for measure in cts_publication_measures(table) -%}
        {%- do columns.append(relation ~ '.' ~ measure) -%}
        {%- do columns.append(relation ~ '.' ~ measure ~ '_suppression') -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}


{#- The select list that pivots exit counts into a declared table's measures: a measure with an
    `outcome_group` sums `events` of that group, one without sums them all. -#}
{% macro cts_outcome_group_sums(table, events) -%}
    {%- set columns = [] -%}
    {%- for measure, spec in cts_publication_table(table)['measures'].items() -%}
        {%- if spec.get('outcome_group') -%}
            {%- do columns.append(
                "sum(case when outcome_group = '" ~ spec['outcome_group'] ~ "' then "
                ~ events ~ ' else 0 end) as ' ~ measure) -%}
        {%- else -%}
            {%- do columns.append('sum(' ~ events ~ ') as ' ~ measure) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}


{#- The select list of a declared table's measures from `relation`, zero where missing. -#}
{% macro cts_measures_or_zero(table, relation) -%}
    {%- set columns = [] -%}
    {%- for measure in cts_publication_measures(table) -%}
        {%- do columns.append(
            'coalesce(' ~ relation ~ '.' ~ measure ~ ', 0) as ' ~ measure) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}


{#- The join condition `left.key = right.key and …` over `keys`. -#}
{% macro cts_keys_equal(left, right, keys) -%}
    {%- set conditions = [] -%}
    {%- for key in keys -%}
        {%- do conditions.append(left ~ '.' ~ key ~ ' = ' ~ right ~ '.' ~ key) -%}
    {%- endfor -%}
    {{ conditions | join('\n            and ') }}
{%- endmacro %}
