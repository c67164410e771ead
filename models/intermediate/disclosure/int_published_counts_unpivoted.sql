-- Every count the public marts publish, in long form and before suppression: one row per
-- cell and measure of Program Enrollments, Program Outcomes, Program Exits by reason and the
-- Program Summary totals. Disclosure control works on this one table so that relations that
-- cross marts (exit reasons against outcomes, programs against agency totals) are protected.
with

cells as (
    select * from {{ ref('int_report_cells_enumerated') }}
),

enrollment_counts as (
    select * from {{ ref('int_enrollments_counted') }}
),

exit_counts as (
    select * from {{ ref('int_exits_counted') }}
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
        on {{ cts_keys_equal('cells', 'enrollment_counts', cell_keys) }}
),

outcomes_pivoted as (
    select
        {%- for key in cell_keys %}
        {{ key }},
        {%- endfor %}
        {{ cts_outcome_group_sums('rpt_program_outcomes', 'exits') }}
    from exit_counts
    group by {{ cell_keys | join(', ') }}
),

outcomes_dense as (
    select
        {%- for key in cell_keys %}
        cells.{{ key }},
        {%- endfor %}
        {{ cts_measures_or_zero('rpt_program_outcomes', 'outcomes_pivoted') }}
    from cells
    left join outcomes_pivoted
        on {{ cts_keys_equal('cells', 'outcomes_pivoted', cell_keys) }}
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

-- One row per declared table, measure and key (vars.publication): each table's counts come from
-- its CTE above, in a column named after the measure; key columns the table does not have are
-- null.
{%- set sources = {
    'rpt_program_enrollments': 'enrollments_dense',
    'rpt_program_outcomes': 'outcomes_dense',
    'rpt_program_exits': 'exits_dense',
    'dim_programs': 'program_totals',
} %}
{%- set all_keys = cts_publication_key_columns() %}

unpivoted as (
    {%- for table in var('publication')['tables'] %}
    {%- set table_loop = loop %}
    {%- set keys = cts_publication_key_columns(table) %}
    {%- for measure in cts_publication_measures(table) %}
    select
        '{{ table }}' as mart,
        '{{ measure }}' as measure,
        {%- for key in all_keys %}
        {{ key if key in keys else cts_publication_null(key) ~ ' as ' ~ key }},
        {%- endfor %}
        cast({{ measure }} as bigint) as true_value
    from {{ sources[table] }}
    {%- if not (table_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
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
