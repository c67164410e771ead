{#- A program name reduced to the words that identify the program: lower case, `&` and `+`
    spelled out, punctuation dropped, qualifiers that name a unit, cohort, phase, shift,
    language or population rather than the program removed (`program_name_qualifiers`), and
    abbreviations spelled out (`program_name_abbreviations`). Word boundaries are written as
    padded spaces, two between words while rewriting so that neighbouring matches do not share
    a boundary, which keeps the SQL the same on every engine. -#}
{% macro cts_normalize_program_name(expression) -%}
    {%- set ns = namespace(sql=none) -%}
    {%- set ns.sql -%}
        concat(' ', replace(trim(regexp_replace(
            replace(replace(lower({{ expression }}), '&', ' and '), '+', ' and '),
            '[^a-z0-9]+', ' ', 'g'
        )), ' ', '  '), ' ')
    {%- endset -%}
    {%- for pattern in var('program_name_qualifiers') -%}
        {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", ' (" ~ pattern | replace(' ', '  ')
            ~ ") ', ' ', 'g')" -%}
    {%- endfor -%}
    {%- for abbreviation, expansion in var('program_name_abbreviations').items() -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' " ~ abbreviation ~ " ', ' "
            ~ expansion ~ " ')" -%}
    {%- endfor -%}
    trim(regexp_replace({{ ns.sql }}, ' +', ' ', 'g'))
{%- endmacro %}


{#- A normalised name without the filler words (`program_name_filler_words`) that agencies
    append to program names. -#}
{% macro cts_drop_filler_words(expression) -%}
    {%- set ns = namespace(sql="concat(' ', replace(" ~ expression ~ ", ' ', '  '), ' ')") -%}
    {%- for word in var('program_name_filler_words') -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' " ~ word ~ " ', ' ')" -%}
    {%- endfor -%}
    trim(regexp_replace({{ ns.sql }}, ' +', ' ', 'g'))
{%- endmacro %}


{#- The words of a normalised name in alphabetical order, so that word order does not matter. -#}
{% macro cts_sort_words(expression) -%}
    {{ return(adapter.dispatch('cts_sort_words', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_sort_words(expression) -%}
    {{ exceptions.raise_compiler_error(
        "cts_sort_words has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_sort_words(expression) -%}
    array_to_string(list_sort(string_split({{ expression }}, ' ')), ' ')
{%- endmacro %}

{% macro postgres__cts_sort_words(expression) -%}
    array_to_string(array(select unnest(string_to_array({{ expression }}, ' ')) order by 1), ' ')
{%- endmacro %}


{#- True when every word of `needle` is a word of `haystack` (both normalised names): an agency
    name that carries the whole catalog name plus a site or other extra words. -#}
{% macro cts_contains_all_words(haystack, needle) -%}
    {{ return(adapter.dispatch('cts_contains_all_words', 'cts_programs')(haystack, needle)) }}
{%- endmacro %}

{% macro default__cts_contains_all_words(haystack, needle) -%}
    {{ exceptions.raise_compiler_error(
        "cts_contains_all_words has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_contains_all_words(haystack, needle) -%}
    list_has_all(string_split({{ haystack }}, ' '), string_split({{ needle }}, ' '))
{%- endmacro %}

{% macro postgres__cts_contains_all_words(haystack, needle) -%}
    (string_to_array({{ haystack }}, ' ') @> string_to_array({{ needle }}, ' '))
{%- endmacro %}
