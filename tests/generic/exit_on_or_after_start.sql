{#- No row ends before it starts: `end_column` is null or on/after `start_column`. -#}
{% test exit_on_or_after_start(model, start_column, end_column) %}

select *
from {{ model }}
where {{ end_column }} < {{ start_column }}

{% endtest %}
