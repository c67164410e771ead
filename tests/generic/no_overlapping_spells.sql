{#- No two spells of the same key (e.g. one person in one program) overlap in time: each
    spell starts on or after the end of the previous one. An open spell (null end) overlaps
    everything that starts after it. -#}
{% test no_overlapping_spells(model, partition_by, start_column, end_column) %}

with

spells_ordered as (
    select
        {{ partition_by | join(', ') }},
        {{ start_column }} as spell_start,
        {{ end_column }} as spell_end,
        max(coalesce({{ end_column }}, cast('9999-12-31' as date))) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ start_column }}, {{ end_column }}
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_end
    from {{ model }}
)

select *
from spells_ordered
where previous_latest_end > spell_start

{% endtest %}
