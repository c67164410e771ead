{#- First step of normalizing a program name: lower case, `&` and `+` spelled out,
    punctuation dropped, and qualifiers that name a unit, cohort, phase, shift, language or
    population rather than the program removed (`program_name_qualifiers`). Words come out
    padded by two spaces (` word  word `) so that neighbouring matches of the next step do not
    share a boundary; the same SQL runs on every engine. -#}
{% macro cts_strip_program_qualifiers(expression) -%}
    {%- set ns = namespace(sql=none) -%}
    {%- set ns.sql -%}
        concat(' ', replace(trim({{ cts_regex_replace_all(
            "replace(replace(lower(" ~ expression ~ "), '&', ' and '), '+', ' and ')",
            '[^a-z0-9]+', ' '
        ) }}), ' ', '  '), ' ')
    {%- endset -%}
    {%- for pattern in var('program_name_qualifiers') -%}
        {%- set ns.sql = cts_regex_replace_all(
            ns.sql, ' (' ~ pattern | replace(' ', '  ') ~ ') ', ' ') -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}


{#- Second step: spells out one slice (`part` of `parts`) of the abbreviations in
    `program_name_abbreviations`. Split in slices so that no expression nests too deeply. -#}
{% macro cts_expand_abbreviations(expression, part, parts) -%}
    {%- set items = var('program_name_abbreviations').items() | list -%}
    {%- set ns = namespace(sql=expression) -%}
    {%- for abbreviation, expansion in items -%}
        {%- if loop.index0 % parts == part -%}
            {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' " ~ abbreviation ~ " ', ' "
                ~ expansion ~ " ')" -%}
        {%- endif -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}


{#- Last step: single spaces, trimmed. -#}
{% macro cts_collapse_spaces(expression) -%}
    trim({{ cts_regex_replace_all(expression, ' +', ' ') }})
{%- endmacro %}


{#- A normalized name without the filler words (`program_name_filler_words`) that agencies
    append to program names. -#}
{% macro cts_drop_filler_words(expression) -%}
    {%- set ns = namespace(sql="concat(' ', replace(" ~ expression ~ ", ' ', '  '), ' ')") -%}
    {%- for word in var('program_name_filler_words') -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", ' " ~ word ~ " ', ' ')" -%}
    {%- endfor -%}
    trim({{ cts_regex_replace_all(ns.sql, ' +', ' ') }})
{%- endmacro %}


{#- The words of a normalized name in alphabetical order, so that word order does not matter. -#}
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

{#- Spark: `split` takes a regular expression (a single space is one); strings sort by their
    bytes, as on DuckDB (normalized names are [a-z0-9 ] only). -#}
{% macro spark__cts_sort_words(expression) -%}
    array_join(array_sort(split({{ expression }}, ' ')), ' ')
{%- endmacro %}


{#- True when every word of `needle` is a word of `haystack` (both normalized names): an agency
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

{% macro spark__cts_contains_all_words(haystack, needle) -%}
    (size(array_except(split({{ needle }}, ' '), split({{ haystack }}, ' '))) = 0)
{%- endmacro %}
