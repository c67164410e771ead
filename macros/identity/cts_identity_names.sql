{#- Person names made comparable for the identity linkage: cleaned, compound surnames
    joined, and a phonetic key. Plain SQL on top of the engine functions of
    cts_identity_functions.sql. -#}

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
