{#- Trimmed text, with empty strings as null. -#}
{% macro cts_clean_string(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- A code as sent, normalized for crosswalk lookups: trimmed, upper case, inner whitespace
    collapsed to one space. -#}
{% macro cts_clean_code(expression) -%}
    nullif(upper(trim({{ cts_regex_replace_all(expression, '\\s+', ' ') }})), '')
{%- endmacro %}


{#- The one SID-cleaning rule, used by staging and by the identity linkage: letters and digits
    only (spaces, dashes and any other punctuation dropped), upper case, null when nothing is
    left. Validity is judged downstream. -#}
{% macro cts_clean_sid(expression) -%}
    nullif(upper({{ cts_regex_replace_all(expression, '[^A-Za-z0-9]', '') }}), '')
{%- endmacro %}
