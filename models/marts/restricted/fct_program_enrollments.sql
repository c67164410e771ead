-- One row per program enrollment spell of every agency, with a keyed pseudonymous person key
-- and no names, birth dates, SIDs or agency identifiers. Restricted: row-level data never goes
-- to the public exports.
with

spells as (
    select * from {{ ref('int_program_spells_enriched') }}
),

final as (
    select
        -- ids
        {{ cts_pseudonym(dbt.concat(["spells.agency_code", "'|'", "spells.spell_id"])) }}
            as enrollment_key,
        {{ cts_pseudonym('spells.person_id') }} as person_key,
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
        {{ dbt.datediff(
            'spells.start_date',
            'spells.end_date',
            'day',
        ) }} as duration_days,
        -- booleans
        spells.has_person_record,
        spells.end_date is null as is_active,
        -- dates
        spells.start_date,
        spells.end_date
    from spells
)

select * from final
