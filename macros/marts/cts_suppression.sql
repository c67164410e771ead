{#- Primary small-cell suppression (DOMAIN.md §5): a count from 1 to the threshold
    (`suppression_threshold`, default 10) is published as null with the reason PRIMARY; zeros
    and larger counts are published as they are. Emits two columns: the count and
    `<count>_suppression`. -#}
{% macro cts_suppressed_count(column) -%}
    case
        when {{ column }} between 1 and {{ var('suppression_threshold') }} then null
        else {{ column }}
    end as {{ column }},
    case
        when {{ column }} between 1 and {{ var('suppression_threshold') }} then 'PRIMARY'
    end as {{ column }}_suppression
{%- endmacro %}


{#- A rate numerator / denominator, published only when neither part is suppressed and the
    denominator is more than the threshold (DOMAIN.md §5). -#}
{% macro cts_suppressed_rate(numerator, denominator, name) -%}
    case
        when
            {{ denominator }} > {{ var('suppression_threshold') }}
            and not ({{ numerator }} between 1 and {{ var('suppression_threshold') }})
            then cast(round(cast({{ numerator }} as decimal(18, 6)) / {{ denominator }}, 4) as decimal(7, 4))
    end as {{ name }}
{%- endmacro %}
