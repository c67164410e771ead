with

source as (
    select * from {{ source('raw_meta', 'rejected_lines') }}
),

renamed as (
    select
        -- ids
        {{ dbt.concat(['file', "':'", dbt.safe_cast('line', dbt.type_string())]) }}
            as source_row_id,
        submission_id,
        agency_code,
        file as source_file,
        -- strings
        period as reporting_period,
        reason as rejection_reason,
        detail as rejection_detail,
        -- numerics
        revision as revision_number,
        line as source_line,
        -- timestamps
        loaded_at
    from source
)

select * from renamed
