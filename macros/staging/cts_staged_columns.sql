{#- A date column parsed in the agency's format, and the text as sent beside it
    (`<name>` and `<name>_raw`). -#}
{% macro cts_staged_date(spec, role, name, is_birth_date=false) -%}
    {{ cts_parse_date(cts_role(spec, role), spec.meta.date_format, is_birth_date=is_birth_date) }}
        as {{ name }},
    {{ cts_clean_string(cts_role(spec, role)) }} as {{ name }}_raw
{%- endmacro %}


{#- The trimmed text of each role, named after the role: `<role>,` for every role in `roles`
    (the list ends with a comma, so more columns follow it). -#}
{% macro cts_staged_strings(spec, roles) -%}
    {%- for role in roles %}
        {{ cts_clean_string(cts_role(spec, role)) }} as {{ role }},
    {%- endfor %}
{%- endmacro %}
