-- Random pairs of person records, compared like the candidate pairs: the sample from which the
-- u probabilities (how often non-matching records agree by chance) are estimated. Records are
-- put in a pseudo-random order (hash of the key) and each is paired with the records
-- `identity_random_pair_offsets` positions further on. Pairs sharing a valid SID are known
-- matches and left out. One row per random pair.
{{ config(pre_hook="{{ cts_avoid_nested_loops() }}") }}

with

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

name_variants as (
    select * from {{ ref('int_identity_name_variants_expanded') }}
),

custody_periods as (
    select * from {{ ref('int_identity_custody_periods_prepared') }}
),

records_shuffled as (
    select
        record_key,
        sid,
        sid_status,
        row_number() over (order by {{ dbt.hash('record_key') }}, record_key) - 1
            as shuffled_position,
        count(*) over () as record_count
    from records
),

random_pairs as (
    {%- for offset in var('identity_random_pair_offsets') %}
    select
        this_record.record_key as left_record_key,
        other_record.record_key as right_record_key,
        {{ offset }} as pair_offset
    from records_shuffled as this_record
    inner join records_shuffled as other_record
        on
            other_record.shuffled_position
            = mod(this_record.shuffled_position + {{ offset }}, this_record.record_count)
    where
        this_record.record_count > {{ offset }}
        and not (
            this_record.sid_status = 'VALID'
            and other_record.sid_status = 'VALID'
            and this_record.sid = other_record.sid
        )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

pairs_compared as (
    {{ cts_identity_compare_pairs(
        'random_pairs', 'records', 'name_variants', 'custody_periods', ['pair_offset']) }}
)

select * from pairs_compared
