-- First clustering of person records: connected components over the accepted links, by
-- `identity_cluster_iterations` rounds of min-label propagation with pointer jumping
-- (macros/identity/cts_identity_components.sql). The cluster key is the smallest record key of
-- the cluster. One row per person record.
with

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

pairs_scored as (
    select * from {{ ref('int_identity_pairs_scored') }}
),

links as (
    select
        left_record_key,
        right_record_key
    from pairs_scored
    where is_link
),

{{ cts_identity_components('records', 'links', 'linked', var('identity_cluster_iterations')) }}

clusters as (
    select
        record_key,
        cluster_key,
        count(*) over (partition by cluster_key) as cluster_size
    from linked_labels_{{ var('identity_cluster_iterations') }}
)

select * from clusters
