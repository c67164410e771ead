{#- Connected components by iterative min-label propagation, as a chain of CTEs (bounded and
    portable: no recursion). `nodes` has record_key, `edges` left_record_key and
    right_record_key. Each round gives a node the smallest label among itself and its neighbours,
    then jumps once to its label's label (pointer jumping), so components converge in about
    log2(diameter) rounds. Emits CTEs `<prefix>_labels_0` .. `<prefix>_labels_<iterations>`, each
    (record_key, cluster_key), followed by a comma; the last one is the answer.

    Each round reads the previous round's labels once, and its own minimum once: Spark inlines a
    CTE wherever it is used, so two reads a round would double the plan every round (the
    analyzer ran out of memory). The offers come from one join with the edges and a loop on
    every node; the label's label from one window over the minima, each minimum row read twice
    through a two-row constant (as the node that holds the label, and as the node that asks). -#}
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
    union all
    select
        record_key as from_record_key,
        record_key as to_record_key
    from {{ nodes }}
),

{{ prefix }}_roles as (
    select 'holder' as role
    union all
    select 'asker' as role
),
{% for iteration in range(1, iterations + 1) %}
{{ prefix }}_minimum_{{ iteration }} as (
    select
        {{ prefix }}_edges_both_ways.to_record_key as record_key,
        min({{ prefix }}_labels_{{ iteration - 1 }}.cluster_key) as cluster_key
    from {{ prefix }}_edges_both_ways
    inner join {{ prefix }}_labels_{{ iteration - 1 }}
        on {{ prefix }}_edges_both_ways.from_record_key
        = {{ prefix }}_labels_{{ iteration - 1 }}.record_key
    group by {{ prefix }}_edges_both_ways.to_record_key
),

{{ prefix }}_jumps_{{ iteration }} as (
    select
        {{ prefix }}_roles.role,
        {{ prefix }}_minimum_{{ iteration }}.record_key,
        {{ prefix }}_minimum_{{ iteration }}.cluster_key,
        case
            when {{ prefix }}_roles.role = 'holder'
                then {{ prefix }}_minimum_{{ iteration }}.record_key
            else {{ prefix }}_minimum_{{ iteration }}.cluster_key
        end as looked_up_key
    from {{ prefix }}_minimum_{{ iteration }}
    cross join {{ prefix }}_roles
),

{{ prefix }}_labels_{{ iteration }} as (
    select
        record_key,
        least(cluster_key, label_of_label) as cluster_key
    from (
        select
            role,
            record_key,
            cluster_key,
            min(case when role = 'holder' then cluster_key end)
                over (partition by looked_up_key) as label_of_label
        from {{ prefix }}_jumps_{{ iteration }}
    ) as looked_up
    where role = 'asker'
),
{% endfor %}
{%- endmacro %}
