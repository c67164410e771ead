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
