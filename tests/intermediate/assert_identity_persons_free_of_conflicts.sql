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
    select
        left_member.record_key as left_record_key,
        right_member.record_key as right_record_key,
        left_member.person_id
    from persons as left_member
    inner join persons as right_member
        on
            left_member.person_id = right_member.person_id
            and left_member.record_key < right_member.record_key
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
