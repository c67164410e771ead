{#- Union of every agency's staging model of one entity (cts_staged_models: every source table
    whose `meta.entity` is that entity). The staging macros give every agency's model of an
    entity the same columns in the same order, so a positional union is safe. -#}
{% macro cts_union_staged(entity) -%}
    {%- for model_name in cts_staged_models(entity) %}
    select * from {{ ref(model_name) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
