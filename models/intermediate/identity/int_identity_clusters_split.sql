-- The records of conflicting first clusters (int_identity_clusters_conflicting), clustered
-- again on strong links only. One row per such record, with its new cluster.
{%- set iterations = var('identity_cluster_iterations') %}
with

clusters_initial as (
    select * from {{ ref('int_identity_records_clustered') }}
),

conflicting_clusters as (
    select * from {{ ref('int_identity_clusters_conflicting') }}
),

pairs_scored as (
    select * from {{ ref('int_identity_pairs_scored') }}
),

records_to_split as (
    select clusters_initial.record_key
    from clusters_initial
    inner join conflicting_clusters
        on clusters_initial.cluster_key = conflicting_clusters.cluster_key
),

strong_links as (
    select
        pairs_scored.left_record_key,
        pairs_scored.right_record_key
    from pairs_scored
    inner join records_to_split as left_split
        on pairs_scored.left_record_key = left_split.record_key
    inner join records_to_split as right_split
        on pairs_scored.right_record_key = right_split.record_key
    where pairs_scored.is_strong_link
),

{{ cts_identity_components('records_to_split', 'strong_links', 'strong', iterations) }}

split_clusters as (
    select
        record_key,
        cluster_key
    from strong_labels_{{ iterations }}
)

select * from split_clusters
