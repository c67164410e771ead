-- Every suppressed count is protected, with a proof: a certificate (int_published_count_
-- certificates) that changes it gives another table, equal on every published cell, that
-- obeys every relation among the published counts (int_published_cell_groups) and every
-- bound the suppression flags reveal (PRIMARY: 1 to the threshold; any count >= 0). Returns
-- a row per broken relation, broken bound and PRIMARY count no certificate changes.
with

certificates as (
    select * from {{ ref('int_published_count_certificates') }}
),

counts as (
    select * from {{ ref('int_published_counts_suppressed') }}
),

memberships as (
    select * from {{ ref('int_published_cell_groups') }}
),

broken_relations as (
    select
        certificates.certificate,
        {{ dbt.concat(["'breaks relation '", 'memberships.group_key']) }} as problem
    from certificates
    inner join memberships
        on certificates.cell_number = memberships.cell_number
    group by certificates.certificate, memberships.group_key
    having sum(memberships.side * certificates.change) != 0
),

broken_bounds as (
    select
        certificates.certificate,
        {{ dbt.concat(["'moves '", 'counts.cell_id', "' out of its revealed bounds'"]) }}
            as problem
    from certificates
    inner join counts
        on certificates.cell_number = counts.cell_number
    where
        certificates.change = 0
        or counts.true_value + certificates.change < 0
        or (
            counts.suppression = 'PRIMARY'
            and not {{ cts_is_small('counts.true_value + certificates.change') }}
        )
),

unprotected as (
    select
        cast(null as bigint) as certificate,
        {{ dbt.concat(["'no certificate changes '", 'counts.cell_id']) }} as problem
    from counts
    left join certificates
        on counts.cell_number = certificates.cell_number
    where counts.suppression = 'PRIMARY' and certificates.cell_number is null
)

select * from broken_relations
union all
select * from broken_bounds
union all
select * from unprotected
