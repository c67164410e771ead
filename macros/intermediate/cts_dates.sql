{#- Whole years of age on `event_date` for a person born on `birth_date` (501 CMR 18: age is
    the event date minus the date of birth). Portable: built from extract only. -#}
{% macro cts_age_at(birth_date, event_date) -%}
    (
        extract(year from {{ event_date }}) - extract(year from {{ birth_date }})
        - case
            when
                extract(month from {{ event_date }}) * 100 + extract(day from {{ event_date }})
                < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
                then 1
            else 0
        end
    )
{%- endmacro %}


{#- Massachusetts fiscal year N runs 1 July N-1 to 30 June N. -#}
{% macro cts_fiscal_year(date_column) -%}
    cast(
        extract(year from {{ date_column }})
        + case when extract(month from {{ date_column }}) >= 7 then 1 else 0 end
        as integer
    )
{%- endmacro %}


{#- The first day of the reporting window (`window_start_date`), as a date. -#}
{% macro cts_window_start() -%}
    cast('{{ var("window_start_date") }}' as date)
{%- endmacro %}


{#- The last day of the reporting window (`window_end_date`), as a date. -#}
{% macro cts_window_end() -%}
    cast('{{ var("window_end_date") }}' as date)
{%- endmacro %}
