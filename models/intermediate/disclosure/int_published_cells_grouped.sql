-- The additive relations among published counts, as groups of cells: in every group the cells
-- are tied by one linear equation (the sum of the cells of side 1 equals the sum of those of
-- side -1), so a group with exactly one suppressed cell would give that
-- cell away by subtraction. Relations: dimension values against their ALL row; agencies
-- against statewide; categories against all categories; calendar against fiscal years over
-- the whole window; outcome groups against total exits; exit reasons against their outcome
-- group; an agency's programs against its totals. Distinct persons add up only over the
-- values of a dimension a person keeps all period (sex, race/ethnicity); over age group or
-- custody status they are bounds, not a sum, which the disclosure audit checks.
with

counts as (
    select * from {{ ref('int_published_counts_unpivoted') }}
),

report_counts as (
    select * from counts
    where mart != 'dim_programs'
),

additive_counts as (
    select * from report_counts
    where measure != 'distinct_persons'
),

-- the counts that add up over the values of their dimension
dimension_counts as (
    select * from report_counts
    where measure != 'distinct_persons' or dimension in ('ALL', 'SEX', 'RACE_ETHNICITY')
),

breakdown_dimensions as (
    select distinct dimension from report_counts
    where dimension != 'ALL'
),


memberships as (
    -- dimension values against the ALL row of the same cell
    select
        {{ dbt.concat(["'DIMENSION|'", 'mart', "'|'", 'measure', "'|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'agency_code', "'|'",
            'category_code', "'|'", "coalesce(outcome_group, '')", "'|'",
            "coalesce(exit_reason_code, '')", "'|'", 'dimension']) }} as group_key,
        cell_number,
        1 as side
    from dimension_counts
    where dimension != 'ALL'
    union all
    select
        {{ dbt.concat(["'DIMENSION|'", 'report_counts.mart', "'|'", 'report_counts.measure',
            "'|'", 'report_counts.period_type', "'|'",
            dbt.safe_cast('report_counts.period_year', dbt.type_string()), "'|'",
            'report_counts.agency_code', "'|'", 'report_counts.category_code', "'|'",
            "coalesce(report_counts.outcome_group, '')", "'|'",
            "coalesce(report_counts.exit_reason_code, '')", "'|'",
            'breakdown_dimensions.dimension']) }} as group_key,
        report_counts.cell_number,
        -1 as side
    from report_counts
    cross join breakdown_dimensions
    where
        report_counts.dimension = 'ALL'
        and (
            report_counts.measure != 'distinct_persons'
            or breakdown_dimensions.dimension in ('SEX', 'RACE_ETHNICITY')
        )
    union all
    -- agencies against statewide
    select
        {{ dbt.concat(["'AGENCY|'", 'mart', "'|'", 'measure', "'|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'category_code', "'|'",
            'dimension', "'|'", 'dimension_value', "'|'", "coalesce(outcome_group, '')", "'|'",
            "coalesce(exit_reason_code, '')"]) }} as group_key,
        cell_number,
        case when agency_code = 'ALL' then -1 else 1 end as side
    from additive_counts
    union all
    -- categories against all categories
    select
        {{ dbt.concat(["'CATEGORY|'", 'mart', "'|'", 'measure', "'|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'agency_code', "'|'",
            'dimension', "'|'", 'dimension_value', "'|'", "coalesce(outcome_group, '')", "'|'",
            "coalesce(exit_reason_code, '')"]) }} as group_key,
        cell_number,
        case when category_code = 'ALL' then -1 else 1 end as side
    from additive_counts
    union all
    -- calendar years against fiscal years (both cover the whole window)
    select
        {{ dbt.concat(["'PERIOD|'", 'mart', "'|'", 'measure', "'|'", 'agency_code', "'|'",
            'category_code', "'|'", 'dimension', "'|'", 'dimension_value', "'|'",
            "coalesce(outcome_group, '')", "'|'", "coalesce(exit_reason_code, '')"]) }}
            as group_key,
        cell_number,
        case when period_type = 'CALENDAR_YEAR' then 1 else -1 end as side
    from additive_counts
    union all
    -- outcome groups against total exits, and exit reasons against their outcome group
    select
        {{ dbt.concat(["'OUTCOME|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'agency_code', "'|'",
            'category_code', "'|'", 'dimension', "'|'", 'dimension_value']) }} as group_key,
        cell_number,
        case when measure = 'total_exits' then -1 else 1 end as side
    from additive_counts
    where mart = 'rpt_program_outcomes'
    union all
    select
        {{ dbt.concat(["'REASON|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'agency_code', "'|'",
            'category_code', "'|'", 'dimension', "'|'", 'dimension_value', "'|'",
            'outcome_group']) }} as group_key,
        cell_number,
        1 as side
    from additive_counts
    where mart = 'rpt_program_exits'
    union all
    select
        {{ dbt.concat(["'REASON|'", 'period_type', "'|'",
            dbt.safe_cast('period_year', dbt.type_string()), "'|'", 'agency_code', "'|'",
            'category_code', "'|'", 'dimension', "'|'", 'dimension_value', "'|'",
            "upper(replace(measure, '_exits', ''))"]) }} as group_key,
        cell_number,
        -1 as side
    from additive_counts
    where mart = 'rpt_program_outcomes' and measure != 'total_exits'
    union all
    -- an agency's programs (and its programs of one category) against its calendar-year
    -- totals of the same measure
    {%- for scope in ['agency_code', "concat(agency_code, '|', category_code)"] %}
    select
        {{ dbt.concat(["'PROGRAMS|'", scope, "'|'", 'measure']) }} as group_key,
        cell_number,
        1 as side
    from counts
    where mart = 'dim_programs' and measure != 'distinct_persons'
    union all
    select
        {{ dbt.concat(["'PROGRAMS|'", scope, "'|'", 'measure']) }} as group_key,
        cell_number,
        -1 as side
    from additive_counts
    where
        mart in ('rpt_program_enrollments', 'rpt_program_outcomes')
        and measure in ('enrollment_events', 'successful_exits', 'unsuccessful_exits')
        and period_type = 'CALENDAR_YEAR'
        and agency_code != 'ALL'
        and dimension = 'ALL'
        and category_code {{ "= 'ALL'" if scope == 'agency_code' else "!= 'ALL'" }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

values_by_cell as (
    select
        cell_number,
        true_value
    from counts
),

-- A group of zeros alone can never hold a suppressed cell, and a group with one side only
-- is a relation the published tables do not hold (a level of detail not published, e.g.
-- exit reasons by demographics): leave both out.
groups_with_counts as (
    select memberships.group_key
    from memberships
    inner join values_by_cell
        on memberships.cell_number = values_by_cell.cell_number
    group by memberships.group_key
    having
        max(values_by_cell.true_value) > 0
        and min(memberships.side) = -1
        and max(memberships.side) = 1
),

kept as (
    select memberships.*
    from memberships
    inner join groups_with_counts
        on memberships.group_key = groups_with_counts.group_key
)

select * from kept
