-- The label propagation converged: no accepted link joins two different first clusters.
with

pairs_scored as (
    select * from {{ ref('int_identity_pairs_scored') }}
),

clusters as (
    select * from {{ ref('int_identity_records_clustered') }}
),

links_across_clusters as (
    select
        pairs_scored.left_record_key,
        pairs_scored.right_record_key,
        left_cluster.cluster_key as left_cluster_key,
        right_cluster.cluster_key as right_cluster_key
    from pairs_scored
    inner join clusters as left_cluster
        on pairs_scored.left_record_key = left_cluster.record_key
    inner join clusters as right_cluster
        on pairs_scored.right_record_key = right_cluster.record_key
    where pairs_scored.is_link and left_cluster.cluster_key != right_cluster.cluster_key
)

select * from links_across_clusters
