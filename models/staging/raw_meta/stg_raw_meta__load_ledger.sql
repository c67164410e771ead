with

source as (
    select * from {{ source('raw_meta', 'load_ledger') }}
),

renamed as (
    select
        -- ids
        {{ dbt.concat(['submission_id', "'|'", 'file']) }} as ledger_entry_id,
        submission_id,
        agency_code,
        file as source_file,
        sha256 as file_sha256,
        -- strings
        period as reporting_period,
        outcome as load_outcome,
        message as load_message,
        -- numerics
        revision as revision_number,
        data_rows as loaded_rows,
        rejected_lines as rejected_line_count,
        -- timestamps
        loaded_at
    from source
)

select * from renamed
