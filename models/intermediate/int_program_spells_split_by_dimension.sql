-- Program spells in long form for reporting: each spell once per reporting dimension (ALL, SEX,
-- RACE_ETHNICITY, AGE_GROUP, CUSTODY_STATUS) with its value on that dimension, so that the
-- marts can count by one demographic dimension at a time with a single aggregation.
-- A view: five times the spells (7 million rows at full scale) cost more to write than the
-- two count models take to unpivot again.
{{ config(materialized='view') }}

with

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

{%- set dimensions = {
    'ALL': "'ALL'",
    'SEX': 'sex_code',
    'RACE_ETHNICITY': 'race_ethnicity_code',
    'AGE_GROUP': 'age_group',
    'CUSTODY_STATUS': 'custody_status_code',
} %}

unpivoted as (
    {%- for dimension, value_column in dimensions.items() %}
    select
        spell_id,
        agency_code,
        category_code,
        person_id,
        start_calendar_year,
        start_fiscal_year,
        end_calendar_year,
        end_fiscal_year,
        exit_reason_code,
        outcome_group,
        '{{ dimension }}' as dimension,
        {{ value_column }} as dimension_value
    from spells
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unpivoted
