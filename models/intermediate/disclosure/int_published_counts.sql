-- Every count the public marts publish, in long form and before suppression: one row per
-- cell and measure of Program Enrollments, Program Outcomes, Program Exits by reason and the
-- Program Summary totals. Disclosure control works on this one table so that relations that
-- cross marts (exit reasons against outcomes, programs against agency totals) are protected.
with

cells as (
    select * from {{ ref('int_report_cells') }}
),

enrollment_counts as (
    select * from {{ ref('int_enrollment_counts') }}
),

exit_counts as (
    select * from {{ ref('int_exit_counts') }}
),

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

programs as (
    select * from {{ ref('int_programs_mapped') }}
),

exit_reasons as (
    select * from {{ ref('exit_reasons') }}
),

{%- set cell_keys = [
    'period_type', 'period_year', 'agency_code', 'category_code', 'dimension', 'dimension_value'
] %}

enrollments_dense as (
    select
        {%- for key in cell_keys %}
        cells.{{ key }},
        {%- endfor %}
        coalesce(enrollment_counts.enrollment_events, 0) as enrollment_events,
        coalesce(enrollment_counts.distinct_persons, 0) as distinct_persons
    from cells
    left join enrollment_counts
        on
            cells.period_type = enrollment_counts.period_type
            and cells.period_year = enrollment_counts.period_year
            and cells.agency_code = enrollment_counts.agency_code
            and cells.category_code = enrollment_counts.category_code
            and cells.dimension = enrollment_counts.dimension
            and cells.dimension_value = enrollment_counts.dimension_value
),

outcomes_pivoted as (
    select
        {%- for key in cell_keys %}
        {{ key }},
        {%- endfor %}
        {%- for group in ['SUCCESSFUL', 'UNSUCCESSFUL', 'ADMINISTRATIVE', 'UNKNOWN'] %}
        sum(case when outcome_group = '{{ group }}' then exits else 0 end)
            as {{ group | lower }}_exits,
        {%- endfor %}
        sum(exits) as total_exits
    from exit_counts
    group by {{ cell_keys | join(', ') }}
),

outcomes_dense as (
    select
        {%- for key in cell_keys %}
        cells.{{ key }},
        {%- endfor %}
        coalesce(outcomes_pivoted.successful_exits, 0) as successful_exits,
        coalesce(outcomes_pivoted.unsuccessful_exits, 0) as unsuccessful_exits,
        coalesce(outcomes_pivoted.administrative_exits, 0) as administrative_exits,
        coalesce(outcomes_pivoted.unknown_exits, 0) as unknown_exits,
        coalesce(outcomes_pivoted.total_exits, 0) as total_exits
    from cells
    left join outcomes_pivoted
        on
            cells.period_type = outcomes_pivoted.period_type
            and cells.period_year = outcomes_pivoted.period_year
            and cells.agency_code = outcomes_pivoted.agency_code
            and cells.category_code = outcomes_pivoted.category_code
            and cells.dimension = outcomes_pivoted.dimension
            and cells.dimension_value = outcomes_pivoted.dimension_value
),

-- Every exit reason of every cell, at the level exit reasons are published (by agency and
-- category, not by demographics: the outcome groups of Program Outcomes carry the demographic
-- breakdowns). The zeros are listed too: a listed reason does not tell that it had exits.
exits_dense as (
    select
        {%- for key in cell_keys %}
        outcomes_dense.{{ key }},
        {%- endfor %}
        exit_reasons.outcome_group,
        exit_reasons.exit_reason_code,
        coalesce(exit_counts.exits, 0) as exits,
        coalesce(exit_counts.distinct_persons, 0) as distinct_persons
    from outcomes_dense
    cross join exit_reasons
    left join exit_counts
        on
            {%- for key in cell_keys %}
            outcomes_dense.{{ key }} = exit_counts.{{ key }}
            and {% endfor -%}
            exit_reasons.exit_reason_code = exit_counts.exit_reason_code
    where outcomes_dense.dimension = 'ALL'
),

-- Enrollments under a code missing from the agency's catalog count under one
-- '(UNLISTED)' program per agency, so that programs add up to the agency's totals.
spells_by_program as (
    select
        spells.agency_code,
        coalesce(programs.agency_program_code, '(UNLISTED)') as agency_program_code,
        spells.category_code,
        spells.spell_id,
        spells.person_id,
        spells.outcome_group
    from spells
    left join programs
        on
            spells.agency_code = programs.agency_code
            and spells.agency_program_code = programs.agency_program_code
),

program_list as (
    select
        agency_code,
        agency_program_code,
        category_code
    from programs
    union all
    select distinct
        agency_code,
        agency_program_code,
        category_code
    from spells_by_program
    where agency_program_code = '(UNLISTED)'
),

program_totals as (
    select
        program_list.agency_code,
        program_list.agency_program_code,
        program_list.category_code,
        count(spells_by_program.spell_id) as enrollment_events,
        count(distinct spells_by_program.person_id) as distinct_persons,
        sum(case when spells_by_program.outcome_group = 'SUCCESSFUL' then 1 else 0 end)
            as successful_exits,
        sum(case when spells_by_program.outcome_group = 'UNSUCCESSFUL' then 1 else 0 end)
            as unsuccessful_exits
    from program_list
    left join spells_by_program
        on
            program_list.agency_code = spells_by_program.agency_code
            and program_list.agency_program_code = spells_by_program.agency_program_code
            and program_list.category_code = spells_by_program.category_code
    group by
        program_list.agency_code,
        program_list.agency_program_code,
        program_list.category_code
),

{%- set null_string = 'cast(null as ' ~ dbt.type_string() ~ ')' %}

unpivoted as (
    {%- for measure in ['enrollment_events', 'distinct_persons'] %}
    select
        'rpt_program_enrollments' as mart,
        '{{ measure }}' as measure,
        {%- for key in cell_keys %}
        {{ key }},
        {%- endfor %}
        {{ null_string }} as outcome_group,
        {{ null_string }} as exit_reason_code,
        {{ null_string }} as agency_program_code,
        cast({{ measure }} as bigint) as true_value
    from enrollments_dense
    union all
    {%- endfor %}
    {%- for measure in ['successful', 'unsuccessful', 'administrative', 'unknown', 'total'] %}
    select
        'rpt_program_outcomes' as mart,
        '{{ measure }}_exits' as measure,
        {%- for key in cell_keys %}
        {{ key }},
        {%- endfor %}
        {{ null_string }} as outcome_group,
        {{ null_string }} as exit_reason_code,
        {{ null_string }} as agency_program_code,
        cast({{ measure }}_exits as bigint) as true_value
    from outcomes_dense
    union all
    {%- endfor %}
    {%- for measure in ['exits', 'distinct_persons'] %}
    select
        'rpt_program_exits' as mart,
        '{{ measure }}' as measure,
        {%- for key in cell_keys %}
        {{ key }},
        {%- endfor %}
        outcome_group,
        exit_reason_code,
        {{ null_string }} as agency_program_code,
        cast({{ measure }} as bigint) as true_value
    from exits_dense
    union all
    {%- endfor %}
    {%- for measure in [
        'enrollment_events', 'distinct_persons', 'successful_exits', 'unsuccessful_exits'
    ] %}
    select
        'dim_programs' as mart,
        '{{ measure }}' as measure,
        {{ null_string }} as period_type,
        cast(null as integer) as period_year,
        agency_code,
        category_code,
        {{ null_string }} as dimension,
        {{ null_string }} as dimension_value,
        {{ null_string }} as outcome_group,
        {{ null_string }} as exit_reason_code,
        agency_program_code,
        cast({{ measure }} as bigint) as true_value
    from program_totals
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

identified as (
    select
        row_number() over (
            order by
                mart, measure, period_type, period_year, agency_code, category_code, dimension,
                dimension_value, outcome_group, exit_reason_code, agency_program_code
        ) as cell_number,
        {{ dbt.concat([
            'mart', "'|'", 'measure', "'|'",
            "coalesce(period_type, '')", "'|'",
            "coalesce(" ~ dbt.safe_cast('period_year', dbt.type_string()) ~ ", '')", "'|'",
            'agency_code', "'|'", 'category_code', "'|'",
            "coalesce(dimension, '')", "'|'", "coalesce(dimension_value, '')", "'|'",
            "coalesce(outcome_group, '')", "'|'", "coalesce(exit_reason_code, '')", "'|'",
            "coalesce(agency_program_code, '')",
        ]) }} as cell_id,
        *
    from unpivoted
)

select * from identified
