-- Every candidate pair with its comparison level on each field (macros/identity: first and last
-- name, middle initial, birth date, sex, race, SID, and whether the two records were ever held
-- in custody over the same days). One row per candidate pair.
with

candidate_pairs as (
    select * from {{ ref('int_identity_pairs_blocked') }}
),

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

name_variants as (
    select * from {{ ref('int_identity_name_variants_expanded') }}
),

custody_periods as (
    select * from {{ ref('int_identity_custody_periods_prepared') }}
),

pairs_compared as (
    {{ cts_identity_compare_pairs(
        'candidate_pairs', 'records', 'name_variants', 'custody_periods',
        ['first_blocking_rule']) }}
)

select * from pairs_compared
