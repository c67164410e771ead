{#- Left join of a code crosswalk seed on the agency and the normalized raw value. -#}
{% macro cts_crosswalk_join(seed_name, alias, raw_column) -%}
    left join {{ ref(seed_name) }} as {{ alias }}
        on
            renamed.agency_code = {{ alias }}.agency_code
            and renamed.{{ raw_column }} = {{ alias }}.raw_value
{%- endmacro %}
