{#- Every program is either mapped onto a canonical program or explicitly OTHER: a row with no
    canonical program must carry category OTHER and method UNMAPPED, and a mapped row must not. -#}
{% test mapped_or_other(model, canonical_column, category_column, method_column) %}

select *
from {{ model }}
where
    ({{ canonical_column }} is null
        and ({{ category_column }} != 'OTHER' or {{ method_column }} != 'UNMAPPED'))
    or ({{ canonical_column }} is not null and {{ method_column }} = 'UNMAPPED')
    or {{ category_column }} is null

{% endtest %}
