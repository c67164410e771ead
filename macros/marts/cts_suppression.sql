{#- Primary small-cell suppression (DOMAIN.md §5): a count from 1 to the threshold
    (`suppression_threshold`, default 10) is published as null with the reason PRIMARY; zeros
    and larger counts are published as they are. Emits two columns: the count and
    `<count>_suppression`. -#}
{% macro cts_suppressed_count(column) -%}
    case
        when {{ cts_is_small(column) }} then null
        else {{ column }}
    end as {{ column }},
    case
        when {{ cts_is_small(column) }} then 'PRIMARY'
    end as {{ column }}_suppression
{%- endmacro %}


{% macro cts_is_small(column) -%}
    ({{ column }} between 1 and {{ var('suppression_threshold') }})
{%- endmacro %}


{#- numerator / denominator, published only when the denominator is above the threshold and
    none of the `parts` it is built from is a small (suppressed) count (DOMAIN.md §5). -#}
{% macro cts_suppressed_rate(numerator, denominator, name, parts) -%}
    case
        when
            {{ denominator }} > {{ var('suppression_threshold') }}
            {%- for part in parts %}
            and not {{ cts_is_small(part) }}
            {%- endfor %}
            then cast(
                round(cast({{ numerator }} as decimal(18, 6)) / {{ denominator }}, 4)
                as decimal(7, 4)
            )
    end as {{ name }}
{%- endmacro %}
