-- Published enrollment counts equal the row-level fact: for every period, agency (and
-- statewide) and category (and all), each published enrollment-events and distinct-persons
-- value equals the count computed directly from fct_program_enrollments.
with

published as (
    select * from {{ ref('rpt_program_enrollments') }}
    where dimension = 'ALL'
),

facts as (
    select * from {{ ref('fct_program_enrollments') }}
),

{%- set group_sets = [
    ("agency_code", "category_code"),
    ("agency_code", "'ALL'"),
    ("'ALL'", "category_code"),
    ("'ALL'", "'ALL'"),
] %}

recounted as (
    {%- set period_columns = [
        ('CALENDAR_YEAR', 'start_calendar_year'),
        ('FISCAL_YEAR', 'start_fiscal_year'),
    ] %}
    {%- for period_type, year_column in period_columns %}
    {%- set outer_loop = loop %}
    {%- for agency_expression, category_expression in group_sets %}
    select
        '{{ period_type }}' as period_type,
        {{ year_column }} as period_year,
        {{ agency_expression }} as agency_code,
        {{ category_expression }} as category_code,
        count(*) as enrollment_events,
        count(distinct person_key) as distinct_persons
    from facts
    group by 1, 2, 3, 4
    {%- if not (loop.last and outer_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

compared as (
    select
        published.period_type,
        published.period_year,
        published.agency_code,
        published.category_code,
        published.enrollment_events as published_events,
        coalesce(recounted.enrollment_events, 0) as recounted_events,
        published.distinct_persons as published_persons,
        coalesce(recounted.distinct_persons, 0) as recounted_persons
    from published
    left join recounted
        on
            published.period_type = recounted.period_type
            and published.period_year = recounted.period_year
            and published.agency_code = recounted.agency_code
            and published.category_code = recounted.category_code
)

select * from compared
where
    (published_events is not null and published_events != recounted_events)
    or (published_persons is not null and published_persons != recounted_persons)
