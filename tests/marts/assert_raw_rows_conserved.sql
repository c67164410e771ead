-- Conservation: for every loaded file of every agency and submission, the data rows the loader
-- loaded equal the raw rows that reached a disposition (clean, collapsed, superseded or
-- quarantined), and the malformed lines it counted equal the rejected lines it kept. Nothing
-- is lost between the file and the marts.
with

ledger as (
    select * from {{ ref('stg_raw_meta__load_ledger') }}
    where load_outcome = 'loaded'
),

dispositions as (
    select
        source_file,
        count(*) as disposed_rows
    from {{ ref('int_raw_rows_dispositioned') }}
    group by source_file
),

rejected as (
    select
        source_file,
        count(*) as rejected_lines
    from {{ ref('stg_raw_meta__rejected_lines') }}
    group by source_file
),

compared as (
    select
        ledger.submission_id,
        ledger.source_file,
        ledger.loaded_rows,
        coalesce(dispositions.disposed_rows, 0) as disposed_rows,
        ledger.rejected_line_count,
        coalesce(rejected.rejected_lines, 0) as rejected_lines
    from ledger
    left join dispositions
        on ledger.source_file = dispositions.source_file
    left join rejected
        on ledger.source_file = rejected.source_file
)

select * from compared
where loaded_rows != disposed_rows or rejected_line_count != rejected_lines
