-- The first clusters that chained different people together: two members whose levels
-- conflict (different birth dates and names, different valid SIDs, custody over the same days
-- with no SID to join them: see cts_identity_is_conflict), or too many members to check. One
-- row per such cluster. A table of its own, so that the re-clustering that reads it
-- (int_identity_clusters_split) repeats a small relation in each round, not this comparison.
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

clusters_initial as (
    select * from {{ ref('int_identity_records_clustered') }}
),

member_pairs as (
    {{ cts_identity_member_pairs(
        'clusters_initial', 'cluster_key',
        "left_member.cluster_size between 2 and " ~ var('identity_max_cluster_checked')
    ) }}
),

member_pairs_compared as (
    {{ cts_identity_compare_pairs(
        'member_pairs', 'records', 'name_variants', 'custody_periods', ['cluster_key']) }}
),

conflicting_clusters as (
    select distinct member_pairs_compared.cluster_key
    from member_pairs_compared
    where {{ cts_identity_is_conflict('member_pairs_compared') }}
    union
    select distinct cluster_key
    from clusters_initial
    where cluster_size > {{ var('identity_max_cluster_checked') }}
)

select * from conflicting_clusters
