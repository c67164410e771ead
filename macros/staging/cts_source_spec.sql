{#- Reads one source table's definition from the sources YAML: the agency code, the table
    meta (date format, file, ...) and a map of role -> raw column name, from each column's
    `meta.role`. Per-agency differences live there, so one macro per entity stages every
    agency. At parse time the graph is not populated; an empty spec is returned. Unit tests
    have no graph either: they override this macro with the spec under test. -#}
{% macro cts_source_spec(source_name, table_name) %}
    {%- set spec = {'agency_code': source_name | upper, 'meta': {}, 'columns': {}} -%}
    {%- if execute -%}
        {%- set matches = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name)
            | list -%}
        {%- if matches | length != 1 -%}
            {{ exceptions.raise_compiler_error(
                "No source table " ~ source_name ~ "." ~ table_name ~ " is defined") }}
        {%- endif -%}
        {%- set node = matches[0] -%}
        {%- do spec.update({'agency_code': node.source_meta.agency_code, 'meta': node.meta}) -%}
        {%- for column in node.columns.values() -%}
            {%- if column.meta.role -%}
                {%- do spec['columns'].update({column.meta.role: column.name}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(spec) }}
{% endmacro %}


{#- The raw column playing `role`, or a typed null when this agency does not send it. -#}
{% macro cts_role(spec, role) %}
    {%- if role in spec.columns -%}
        {{ return(spec.columns[role]) }}
    {%- else -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- endif -%}
{% endmacro %}
