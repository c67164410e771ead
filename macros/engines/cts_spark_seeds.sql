{#- Spark (session method): dbt-spark binds seed values by formatting them into the SQL text
    unquoted, so a value with an apostrophe ("Sheriff's Office") breaks the statement. This
    version writes each value as a Spark string literal, escaped (Spark reads backslash escapes
    in literals), cast to its column's type; empty cells are null. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ cts_spark_escape(value | string) }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- Text as the inside of a Spark string literal: backslashes and apostrophes escaped. -#}
{% macro cts_spark_escape(text) -%}
    {{ text | replace('\\', '\\\\') | replace("'", "\\'") }}
{%- endmacro %}
