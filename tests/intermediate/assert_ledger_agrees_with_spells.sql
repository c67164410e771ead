-- The conservation ledger and the program spells agree on which raw rows are used: the row a
-- spell is built from is never reported as an older version of its record (COLLAPSED) or as a
-- row of a resubmitted month (SUPERSEDED), and every enrollment row reported CLEAN is the row
-- of a spell (the ledger ranks a record's versions the way the spell models do: over every
-- table of an agency that changed layouts, among each month's latest revision).
with

spells as (
    select * from {{ ref('int_program_spells_checked') }}
),

raw_rows as (
    select * from {{ ref('int_raw_rows_dispositioned') }}
),

spell_rows_not_used as (
    select
        spells.agency_code,
        spells.source_row_id,
        raw_rows.staging_model,
        'a spell is built from a row the ledger reports ' || raw_rows.disposition as problem
    from spells
    inner join raw_rows
        on
            spells.agency_code = raw_rows.agency_code
            and spells.source_row_id = raw_rows.source_row_id
    where raw_rows.disposition in ('COLLAPSED', 'SUPERSEDED')
),

clean_enrollments_without_spell as (
    select
        raw_rows.agency_code,
        raw_rows.source_row_id,
        raw_rows.staging_model,
        'an enrollment row reported CLEAN is the row of no spell' as problem
    from raw_rows
    left join spells
        on
            raw_rows.agency_code = spells.agency_code
            and raw_rows.source_row_id = spells.source_row_id
    where
        raw_rows.entity = 'enrollments'
        and raw_rows.disposition = 'CLEAN'
        and spells.source_row_id is null
),

disagreements as (
    select * from spell_rows_not_used
    union all
    select * from clean_enrollments_without_spell
)

select * from disagreements
