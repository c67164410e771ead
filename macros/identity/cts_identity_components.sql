{#- Connected components by iterative min-label propagation, as a chain of CTEs (bounded and
    portable: no recursion). `nodes` has record_key, `edges` left_record_key and
    right_record_key. Each round gives a node the smallest label among itself and its neighbours,
    then jumps once to its label's label (pointer jumping), so components converge in about
    log2(diameter) rounds. Emits CTEs `<prefix>_labels_0` .. `<prefix>_labels_<iterations>`, each
    (record_key, cluster_key), followed by a comma; the last one is the answer. -#}
{% macro cts_identity_components(nodes, edges, prefix, iterations) -%}
{{ prefix }}_labels_0 as (
    select
        record_key,
        record_key as cluster_key
    from {{ nodes }}
),

{{ prefix }}_edges_both_ways as (
    select
        left_record_key as from_record_key,
        right_record_key as to_record_key
    from {{ edges }}
    union all
    select
        right_record_key as from_record_key,
        left_record_key as to_record_key
    from {{ edges }}
),
{% for iteration in range(1, iterations + 1) %}
{{ prefix }}_offers_{{ iteration }} as (
    select
        record_key,
        cluster_key
    from {{ prefix }}_labels_{{ iteration - 1 }}
    union all
    select
        {{ prefix }}_edges_both_ways.to_record_key as record_key,
        {{ prefix }}_labels_{{ iteration - 1 }}.cluster_key
    from {{ prefix }}_edges_both_ways
    inner join {{ prefix }}_labels_{{ iteration - 1 }}
        on {{ prefix }}_edges_both_ways.from_record_key
        = {{ prefix }}_labels_{{ iteration - 1 }}.record_key
),

{{ prefix }}_minimum_{{ iteration }} as (
    select
        record_key,
        min(cluster_key) as cluster_key
    from {{ prefix }}_offers_{{ iteration }}
    group by record_key
),

{{ prefix }}_labels_{{ iteration }} as (
    select
        own_label.record_key,
        least(own_label.cluster_key, label_of_label.cluster_key) as cluster_key
    from {{ prefix }}_minimum_{{ iteration }} as own_label
    inner join {{ prefix }}_minimum_{{ iteration }} as label_of_label
        on own_label.cluster_key = label_of_label.record_key
),
{% endfor %}
{%- endmacro %}
