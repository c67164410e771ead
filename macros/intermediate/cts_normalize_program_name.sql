{#- A program name reduced to the words that identify the program: lower case, `&` and `+`
    spelled out, punctuation dropped, abbreviations expanded (project variable
    `program_name_abbreviations`), and qualifiers that name a site, unit, cohort, phase or
    population rather than the program removed (`program_name_qualifiers`). Word boundaries
    are written as padded spaces so the same SQL runs on every engine. -#}
{% macro cts_normalize_program_name(expression) -%}
    {%- set padded -%}
        concat(' ', regexp_replace(
            replace(replace(lower({{ expression }}), '&', ' and '), '+', ' and '),
            '[^a-z0-9]+', ' ', 'g'
        ), ' ')
    {%- endset -%}
    {%- set ns = namespace(sql=padded) -%}
    {%- for pattern in var('program_name_qualifiers') -%}
        {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", ' (" ~ pattern ~ ") ', ' ', 'g')" -%}
    {%- endfor -%}
    {#- words are separated by two spaces while abbreviations are replaced, so that two
        abbreviations in a row do not share (and consume) one boundary space -#}
    {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' ', '  ')" -%}
    {%- for abbreviation, expansion in var('program_name_abbreviations').items() -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' " ~ abbreviation ~ " ', ' "
            ~ expansion ~ " ')" -%}
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
