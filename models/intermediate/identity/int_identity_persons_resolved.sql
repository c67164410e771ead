-- Person records resolved into persons. A first cluster that conflicts
-- (int_identity_clusters_conflicting) is replaced by its records' clusters on strong links only
-- (int_identity_clusters_split); a cluster that still conflicts falls apart into single
-- records. The person key is the cluster's valid SID when no other cluster carries it, else its
-- smallest record key. One row per person record.
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

pairs_scored as (
    select * from {{ ref('int_identity_pairs_scored') }}
),

clusters_initial as (
    select * from {{ ref('int_identity_records_clustered') }}
),

split_clusters as (
    select * from {{ ref('int_identity_clusters_split') }}
),

split_member_pairs as (
    {{ cts_identity_member_pairs('split_clusters', 'cluster_key') }}
),

split_member_pairs_compared as (
    {{ cts_identity_compare_pairs(
        'split_member_pairs', 'records', 'name_variants', 'custody_periods', ['cluster_key']) }}
),

still_conflicting_clusters as (
    select distinct split_member_pairs_compared.cluster_key
    from split_member_pairs_compared
    where {{ cts_identity_is_conflict('split_member_pairs_compared') }}
),

clusters_resolved as (
    select
        clusters_initial.record_key,
        case
            when split_clusters.record_key is null then clusters_initial.cluster_key
            when still_conflicting_clusters.cluster_key is null then split_clusters.cluster_key
            else clusters_initial.record_key
        end as cluster_key,
        case
            when split_clusters.record_key is null then 'LINKED'
            when still_conflicting_clusters.cluster_key is null then 'SPLIT_ON_STRONG_LINKS'
            else 'UNLINKED_AFTER_CONFLICT'
        end as cluster_resolution
    from clusters_initial
    left join split_clusters
        on clusters_initial.record_key = split_clusters.record_key
    left join still_conflicting_clusters
        on split_clusters.cluster_key = still_conflicting_clusters.cluster_key
),

links_kept as (
    select
        pairs_scored.left_record_key,
        pairs_scored.right_record_key,
        pairs_scored.sid_level,
        pairs_scored.match_probability
    from pairs_scored
    inner join clusters_resolved as left_cluster
        on pairs_scored.left_record_key = left_cluster.record_key
    inner join clusters_resolved as right_cluster
        on pairs_scored.right_record_key = right_cluster.record_key
    where pairs_scored.is_link and left_cluster.cluster_key = right_cluster.cluster_key
),

link_ends as (
    select
        left_record_key as record_key,
        sid_level,
        match_probability
    from links_kept
    union all
    select
        right_record_key as record_key,
        sid_level,
        match_probability
    from links_kept
),

record_links as (
    select
        record_key,
        max(match_probability) as match_probability,
        max(case when sid_level = 'same' then 1 else 0 end) = 1 as has_sid_link
    from link_ends
    group by record_key
),

cluster_sids as (
    select
        clusters_resolved.cluster_key,
        min(records.sid) as cluster_sid
    from clusters_resolved
    inner join records
        on clusters_resolved.record_key = records.record_key
    where records.sid_status = 'VALID'
    group by clusters_resolved.cluster_key
),

sids_unique_to_cluster as (
    select cluster_sid
    from cluster_sids
    group by cluster_sid
    having count(*) = 1
),

persons as (
    select
        records.record_key,
        records.agency_code,
        records.agency_person_id,
        {{ dbt.hash(
            'coalesce(sids_unique_to_cluster.cluster_sid, clusters_resolved.cluster_key)') }}
            as person_id,
        clusters_resolved.cluster_key,
        count(*) over (partition by clusters_resolved.cluster_key) as cluster_size,
        clusters_resolved.cluster_resolution,
        case
            when record_links.has_sid_link then 'SID'
            when record_links.record_key is not null then 'PROBABILISTIC'
            else 'AGENCY_RECORD'
        end as link_method,
        record_links.match_probability,
        records.sid_status
    from records
    inner join clusters_resolved
        on records.record_key = clusters_resolved.record_key
    left join record_links
        on records.record_key = record_links.record_key
    left join cluster_sids
        on clusters_resolved.cluster_key = cluster_sids.cluster_key
    left join sids_unique_to_cluster
        on cluster_sids.cluster_sid = sids_unique_to_cluster.cluster_sid
)

select * from persons
