{#- Use the configured schema name as is (staging, intermediate, marts, restricted, reference)
    instead of prefixing it with the target schema: the warehouse is one file per work dir. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
