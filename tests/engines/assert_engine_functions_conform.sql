-- Every engine function gives DuckDB's golden value exactly (seed engine_conformance).
{%- set date_formats = ['%Y-%m-%d', '%m/%d/%Y', '%d/%m/%Y', '%m/%d/%y', '%m-%d-%Y', '%Y%m%d',
    '%d-%b-%Y'] %}
{%- set demo_key = env_var('CTS_PSEUDONYM_KEY', '') in ['', 'cts-demo-key-not-for-release'] %}

with

golden as (
    select * from {{ ref('engine_conformance') }}
),

numbers_computed as (
    select
        check_id,
        expected,
        case function_name
            when 'jaro_winkler' then {{ cts_jaro_winkler('input_1', 'input_2') }}
            when 'string_similarity' then {{ cts_string_similarity('input_1', 'input_2') }}
            when 'edit_distance' then {{ cts_edit_distance('input_1', 'input_2') }}
            when 'log2' then {{ cts_log2('cast(input_1 as ' ~ cts_type_double() ~ ')') }}
        end as computed
    from golden
    where function_name in ('jaro_winkler', 'string_similarity', 'edit_distance', 'log2')
),

numbers_differing as (
    select
        check_id,
        expected,
        cast(computed as {{ dbt.type_string() }}) as computed
    from numbers_computed
    where computed is null or computed <> cast(expected as {{ cts_type_double() }})
),

texts_computed as (
    select
        check_id,
        expected,
        case function_name
            when 'strip_accents' then {{ cts_strip_accents('input_1') }}
            when 'pseudonym' then {{ cts_pseudonym('input_1') }}
        end as computed
    from golden
    where
        function_name = 'strip_accents'
        {%- if demo_key %}
        or function_name = 'pseudonym'
        {%- endif %}
),

texts_differing as (
    select
        check_id,
        expected,
        computed
    from texts_computed
    where computed is null or computed <> expected
),

dates_parsed as (
    {%- for date_format in date_formats %}
    select
        check_id,
        expected,
        {{ cts_parse_date('input_1', date_format) }} as computed
    from golden
    where function_name = 'parse_date' and input_2 = '{{ date_format }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

dates_differing as (
    select
        check_id,
        expected,
        cast(computed as {{ dbt.type_string() }}) as computed
    from dates_parsed
    where
        (computed is null and expected is not null)
        or (computed is not null and expected is null)
        or computed <> cast(expected as date)
),

differing as (
    select * from numbers_differing
    union all
    select * from texts_differing
    union all
    select * from dates_differing
)

select * from differing
