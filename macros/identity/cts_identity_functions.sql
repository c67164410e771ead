{#- Engine-specific string functions of the identity linkage, one dispatched macro each
    (the way macros/intermediate/cts_regex.sql isolates regular expressions). -#}

{#- Jaro-Winkler similarity of two strings, in [0, 1]. -#}
{% macro cts_jaro_winkler(left, right) -%}
    {{ return(adapter.dispatch('cts_jaro_winkler', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_jaro_winkler(left, right) -%}
    {{ exceptions.raise_compiler_error(
        "cts_jaro_winkler has no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__cts_jaro_winkler(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{#- PostgreSQL has no Jaro-Winkler: a normalised Levenshtein similarity (fuzzystrmatch) stands in. -#}
{% macro postgres__cts_jaro_winkler(left, right) -%}
    (1.0 - levenshtein({{ left }}, {{ right }})::float
        / greatest(length({{ left }}), length({{ right }}), 1))
{%- endmacro %}


{#- Edit distance counting an adjacent transposition as one edit (Damerau-Levenshtein). -#}
{% macro cts_edit_distance(left, right) -%}
    {{ return(adapter.dispatch('cts_edit_distance', 'cts_programs')(left, right)) }}
{%- endmacro %}

{% macro default__cts_edit_distance(left, right) -%}
    levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{% macro duckdb__cts_edit_distance(left, right) -%}
    damerau_levenshtein({{ left }}, {{ right }})
{%- endmacro %}


{#- Text without diacritics (José -> Jose). -#}
{% macro cts_strip_accents(expression) -%}
    {{ return(adapter.dispatch('cts_strip_accents', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_strip_accents(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro duckdb__cts_strip_accents(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}

{#- PostgreSQL: the unaccent extension. -#}
{% macro postgres__cts_strip_accents(expression) -%}
    unaccent({{ expression }})
{%- endmacro %}


{#- Every match of `pattern` in `expression` replaced by `replacement`. -#}
{% macro cts_regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('cts_regex_replace_all', 'cts_programs')(
        expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__cts_regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#- Base-2 logarithm. -#}
{% macro cts_log2(expression) -%}
    {{ return(adapter.dispatch('cts_log2', 'cts_programs')(expression)) }}
{%- endmacro %}

{% macro default__cts_log2(expression) -%}
    (ln({{ expression }}) / ln(2.0))
{%- endmacro %}

{% macro duckdb__cts_log2(expression) -%}
    log2({{ expression }})
{%- endmacro %}


{#- A name for comparison: upper case, no accents, letters only; null when nothing is left. -#}
{% macro cts_identity_clean_name(expression) -%}
    nullif({{ cts_regex_replace_all(
        'upper(' ~ cts_strip_accents(expression) ~ ')', '[^A-Z]', '') }}, '')
{%- endmacro %}


{#- A surname with its parts joined by single hyphens ("de la Cruz" -> DE-LA-CRUZ). -#}
{% macro cts_identity_compound_name(expression) -%}
    trim({{ cts_regex_replace_all(
        cts_regex_replace_all('upper(' ~ cts_strip_accents(expression) ~ ')', '[^A-Z]+', '-'),
        '^-|-$', '') }})
{%- endmacro %}


{#- A clean name (A-Z only) with letter groups that sound alike written one way (PH and V as F,
    C as K or S, Z as S...): the first step of the phonetic key. Plain `replace`, the same on
    every engine. -#}
{% macro cts_identity_sounds_alike(expression) -%}
    {%- set sounds_alike = [
        ('SCH', 'SK'), ('PH', 'F'), ('CK', 'K'), ('CE', 'SE'), ('CI', 'SI'), ('CY', 'SI'),
        ('C', 'K'), ('Q', 'K'), ('X', 'KS'), ('Z', 'S'), ('V', 'F'), ('GH', 'G'), ('KN', 'N'),
        ('WR', 'R'), ('TH', 'T'), ('DT', 'T'),
    ] -%}
    {%- set spelled = namespace(text=expression) -%}
    {%- for written, sound in sounds_alike -%}
        {%- set spelled.text = "replace(" ~ spelled.text ~ ", '" ~ written ~ "', '" ~ sound ~ "')" -%}
    {%- endfor -%}
    {{ spelled.text }}
{%- endmacro %}


{#- The phonetic key of a name already passed through cts_identity_sounds_alike: its first letter,
    then the rest without vowels, H, W and Y, doubled letters written once (CATHERINE and
    KATHRYN -> KTRN, STEPHEN and STEVEN -> STFN). Null when the name is null. -#}
{% macro cts_identity_phonetic_key(spelled) -%}
    {%- set key = namespace(text=dbt.concat([
        'left(' ~ spelled ~ ', 1)',
        cts_regex_replace_all(dbt.right(spelled, 'length(' ~ spelled ~ ') - 1'), '[AEIOUHWY]', '')
    ])) -%}
    {%- for letter in 'BDFGKLMNPRST' -%}
        {%- set key.text = "replace(" ~ key.text ~ ", '" ~ letter ~ letter ~ "', '" ~ letter ~ "')" -%}
    {%- endfor -%}
    {{ key.text }}
{%- endmacro %}
