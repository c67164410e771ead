{#- The staging models of one entity: the models that read a source table whose `meta.entity`
    is `entity`, so the sources YAML says once which agency sends what. dbt fixes a model's
    parents while it parses the SQL, before it has read any YAML (the graph is empty then), so
    the names a union refs come from cts_staged_models_declared(), which `cts add-agency` (and
    `python -m cts.scaffold --sync`) writes from the same YAML. At compile time the graph is
    there: the names are derived from it again and the build stops if the two differ. -#}
{% macro cts_staged_models(entity) %}
    {%- set declared = cts_staged_models_declared() -%}
    {%- if entity not in declared -%}
        {{ exceptions.raise_compiler_error(
            "No source table has meta.entity '" ~ entity ~ "' (entities: "
            ~ (declared.keys() | sort | join(', ')) ~ ")") }}
    {%- endif -%}
    {%- if execute and graph.sources -%}
        {%- set derived = [] -%}
        {%- for source_node in graph.sources.values() if source_node.meta.entity == entity -%}
            {%- for node in graph.nodes.values() if node.resource_type == 'model'
                and source_node.unique_id in node.depends_on.nodes -%}
                {%- do derived.append(node.name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if derived | sort != declared[entity] | sort -%}
            {{ exceptions.raise_compiler_error(
                "The staging models of entity '" ~ entity ~ "' in the sources YAML ("
                ~ (derived | sort | join(', ')) ~ ") differ from cts_staged_models_declared() ("
                ~ (declared[entity] | sort | join(', '))
                ~ "): run `python -m cts.scaffold --sync` (docs/adding_an_agency.md)") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(declared[entity] | sort) }}
{% endmacro %}
