{#- Lineage carried from the loader onto every staged row: which submission, file and line
    the row came from, and whether its month has since been resubmitted. -#}
{% macro cts_lineage_columns() -%}
        {{ dbt.concat(["_file", "':'", dbt.safe_cast("_line", dbt.type_string())]) }}
            as source_row_id,
        _submission_id as submission_id,
        _period as reporting_period,
        cast(_revision as integer) as revision_number,
        _file as source_file,
        cast(_line as bigint) as source_line,
        _loaded_at as loaded_at,
        _revision = max(_revision) over (partition by _period) as is_latest_revision
{%- endmacro %}
