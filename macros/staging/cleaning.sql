{#- Trimmed text, with empty strings as null. -#}
{% macro cts_clean_string(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- A code as sent, normalised for crosswalk lookups: trimmed, upper case, inner whitespace
    collapsed to one space. -#}
{% macro cts_clean_code(expression) -%}
    nullif(upper(trim(regexp_replace({{ expression }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}


{#- SID as sent, without spaces or dashes, upper case. Validity is judged downstream. -#}
{% macro cts_clean_sid(expression) -%}
    nullif(upper(regexp_replace({{ expression }}, '[\s-]', '', 'g')), '')
{%- endmacro %}


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
