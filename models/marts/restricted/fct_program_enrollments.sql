-- One row per program enrollment spell of every agency, with a keyed pseudonymous person key
-- and no names, birth dates, SIDs or agency identifiers. Restricted: row-level data never goes
-- to the public exports.
with

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

-- a person's key is computed once per person, not once per spell (the keyed hash is a Python
-- function on DuckDB: a tenth of the calls)
person_keys as (
    select
        person_id,
        {{ cts_pseudonym('person_id') }} as person_key
    from (
        select distinct person_id
        from spells
    ) as distinct_persons
),

final as (
    select
        -- ids
        {{ cts_pseudonym(dbt.concat(["spells.agency_code", "'|'", "spells.spell_id"])) }}
            as enrollment_key,
        person_keys.person_key,
        spells.agency_code,
        spells.agency_program_code,
        spells.canonical_program_code,
        spells.category_code,
        spells.facility_code,
        -- strings
        spells.derived_from,
        spells.exit_reason_code,
        spells.exit_reason_raw,
        spells.outcome_group,
        spells.custody_status_code,
        spells.sex_code,
        spells.race_ethnicity_code,
        spells.age_group,
        -- numerics
        spells.start_calendar_year,
        spells.start_fiscal_year,
        spells.end_calendar_year,
        spells.end_fiscal_year,
        -- bigint on every engine (PostgreSQL's date difference is an integer)
        cast({{ dbt.datediff(
            'spells.start_date',
            'spells.end_date',
            'day',
        ) }} as bigint) as duration_days,
        -- booleans
        spells.has_person_record,
        spells.end_date is null as is_active,
        -- dates
        spells.start_date,
        spells.end_date
    from spells
    left join person_keys
        on spells.person_id = person_keys.person_id
)

select * from final
