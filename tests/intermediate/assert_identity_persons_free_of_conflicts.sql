-- No person holds two records whose birth dates and names (or SIDs) conflict beyond the
-- tolerance of cts_identity_is_conflict (typos, nicknames, day/month swaps, century errors,
-- hyphenated and changed surnames are tolerated).
with

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

name_variants as (
    select * from {{ ref('int_identity_name_variants_expanded') }}
),

custody_periods as (
    select * from {{ ref('int_identity_custody_periods_prepared') }}
),

persons as (
    select * from {{ ref('int_identity_persons_resolved') }}
),

member_pairs as (
    {{ cts_identity_member_pairs('persons', 'person_id') }}
),

member_pairs_compared as (
    {{ cts_identity_compare_pairs(
        'member_pairs', 'records', 'name_variants', 'custody_periods', ['person_id']) }}
),

conflicts as (
    select *
    from member_pairs_compared
    where {{ cts_identity_is_conflict('member_pairs_compared') }}
)

select * from conflicts
