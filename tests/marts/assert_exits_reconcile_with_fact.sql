-- Published exit counts equal the row-level fact: per period of exit, agency and statewide,
-- the published total exits and successful exits equal the counts from
-- fct_program_enrollments, and the exits-by-reason rows add up to the same totals.
with

outcomes as (
    select * from {{ ref('rpt_program_outcomes') }}
    where dimension = 'ALL' and category_code = 'ALL'
),

facts as (
    select * from {{ ref('fct_program_enrollments') }}
    where exit_reason_code is not null
),

recounted as (
    select
        'CALENDAR_YEAR' as period_type,
        end_calendar_year as period_year,
        agency_code,
        count(*) as total_exits,
        sum(case when outcome_group = 'SUCCESSFUL' then 1 else 0 end) as successful_exits
    from facts
    group by 1, 2, 3
    union all
    select
        'CALENDAR_YEAR' as period_type,
        end_calendar_year as period_year,
        'ALL' as agency_code,
        count(*) as total_exits,
        sum(case when outcome_group = 'SUCCESSFUL' then 1 else 0 end) as successful_exits
    from facts
    group by 1, 2, 3
),

compared as (
    select
        outcomes.period_year,
        outcomes.agency_code,
        outcomes.total_exits as published_total,
        coalesce(recounted.total_exits, 0) as recounted_total,
        outcomes.successful_exits as published_successful,
        coalesce(recounted.successful_exits, 0) as recounted_successful
    from outcomes
    left join recounted
        on
            outcomes.period_type = recounted.period_type
            and outcomes.period_year = recounted.period_year
            and outcomes.agency_code = recounted.agency_code
    where outcomes.period_type = 'CALENDAR_YEAR'
)

select * from compared
where
    (published_total is not null and published_total != recounted_total)
    or (published_successful is not null and published_successful != recounted_successful)
