-- Every cell the public marts publish, including empty ones (zeros are shown): each calendar
-- and fiscal year of the window, each agency that holds people and statewide (ALL), each
-- category and all categories (ALL), each reporting dimension with each of its values.
-- Publication design for disclosure control (README, "Disclosure control"): a cell crosses
-- at most two of agency, category and demographic dimension. Demographics are published by
-- agency (all categories) and by category (statewide), not by agency and category at once:
-- that level is mostly counts of 1 or 2, and its breakdowns pin suppressed totals.
with

agencies as (
    select agency_code from {{ ref('agencies') }}
    where holds_people
    union all
    select 'ALL' as agency_code
),

categories as (
    select category_code from {{ ref('program_categories') }}
    union all
    select 'ALL' as category_code
),

dimension_values as (
    select
        'ALL' as dimension,
        'ALL' as dimension_value
    union all
    select
        'SEX' as dimension,
        sex_code as dimension_value
    from {{ ref('sex_codes') }}
    union all
    select
        'RACE_ETHNICITY' as dimension,
        race_ethnicity_code as dimension_value
    from {{ ref('race_ethnicity') }}
    union all
    select
        'AGE_GROUP' as dimension,
        age_group as dimension_value
    from {{ ref('age_groups') }}
    union all
    select
        'CUSTODY_STATUS' as dimension,
        custody_status_code as dimension_value
    from {{ ref('custody_statuses') }}
),

{%- set first_year = var('window_start_date')[:4] | int %}
{%- set last_year = var('window_end_date')[:4] | int %}

periods as (
    {%- for year in range(first_year, last_year + 1) %}
    select
        'CALENDAR_YEAR' as period_type,
        {{ year }} as period_year,
        '{{ year }}' as period_label,
        {{ 'false' }} as is_partial_period
    union all
    {%- endfor %}
    {%- for year in range(first_year, last_year + 2) %}
    select
        'FISCAL_YEAR' as period_type,
        {{ year }} as period_year,
        'FY{{ year }}' as period_label,
        {{ 'true' if year == first_year or year == last_year + 1 else 'false' }}
            as is_partial_period
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

cells as (
    select
        periods.period_type,
        periods.period_year,
        periods.period_label,
        periods.is_partial_period,
        agencies.agency_code,
        categories.category_code,
        dimension_values.dimension,
        dimension_values.dimension_value
    from periods
    cross join agencies
    cross join categories
    cross join dimension_values
    where
        agencies.agency_code = 'ALL'
        or categories.category_code = 'ALL'
        or dimension_values.dimension = 'ALL'
)

select * from cells
