{#- Numbers the versions of one record, newest first: a version that carries an end date
    beats one that does not (a late-arriving opening row never reopens a closed record), then
    the later month, the later revision, the later line. -#}
{% macro cts_version_rank(partition_by, end_date_column=none) -%}
    row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by
            {%- if end_date_column %}
            case when {{ end_date_column }} is null then 0 else 1 end desc,
            {%- endif %}
            reporting_period desc,
            revision_number desc,
            source_line desc
    )
{%- endmacro %}
