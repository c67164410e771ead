-- Data-quality report for the agencies: per agency, submission and file, how many rows were
-- used, collapsed as duplicates or older versions, superseded by a resubmitted month,
-- quarantined (by reason) or rejected as malformed lines, and how many carried an unparseable
-- date or an unknown code. Exported beside the public data so that agencies can fix their
-- feeds; it holds counts of rows, never of persons, and no record-level values.
with

dispositions as (
    select * from {{ ref('int_raw_rows_dispositioned') }}
),

rejected_lines as (
    select * from {{ ref('stg_raw_meta__rejected_lines') }}
),

{%- set keys = ['agency_code', 'submission_id', 'reporting_period', 'revision_number',
    'source_file'] %}

outcomes as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        disposition as row_outcome,
        coalesce(disposition_reason, 'USED') as reason,
        count(*) as row_count
    from dispositions
    group by {{ keys | join(', ') }}, disposition, coalesce(disposition_reason, 'USED')
),

flags as (
    {%- for flag, reason in [('has_unparseable_date', 'UNPARSEABLE_DATE'),
        ('has_unknown_code', 'UNKNOWN_CODE')] %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        'FLAGGED' as row_outcome,
        '{{ reason }}' as reason,
        count(*) as row_count
    from dispositions
    where {{ flag }}
    group by {{ keys | join(', ') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rejections as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        'REJECTED_LINE' as row_outcome,
        rejection_reason as reason,
        count(*) as row_count
    from rejected_lines
    group by {{ keys | join(', ') }}, rejection_reason
),

unioned as (
    select * from outcomes
    union all
    select * from flags
    union all
    select * from rejections
)

select * from unioned
