-- Candidate pairs of person records: the union of blocks, so that only records sharing a
-- blocking key are ever compared. Each rule catches the pairs another one misses: birth date with
-- the first letter of either name (most errors touch one name only), surname start with birth
-- year and the birth day and month in either order (day/month swaps), first name with birth
-- year-month (surname changes, a wrong day), surname start with birth day and month (century
-- errors, year off by one), surname start with birth year and month (a wrong day and a typo
-- elsewhere), birth date with both names in either order (first <-> last swaps), the same valid
-- SID, and both names sounding alike (same phonetic keys: a birth date missing or replaced
-- outright). Blocks larger than `identity_max_block_size` are skipped to keep the pair count
-- bounded. One row per pair, the smaller record key on the left.
{%- set blocking_rules = {
    'birth_date_last_initial': dbt.concat([
        dbt.safe_cast('birth_date', dbt.type_string()), "'|'", 'left(last_name_clean, 1)']),
    'birth_date_first_initial': dbt.concat([
        dbt.safe_cast('birth_date', dbt.type_string()), "'|'", 'left(first_name_clean, 1)']),
    'last_name_start_birth_year_day_month': dbt.concat([
        'left(last_name_first_part, 3)', "'|'", dbt.safe_cast('birth_year', dbt.type_string()),
        "'|'", dbt.safe_cast('least(birth_month, birth_day)', dbt.type_string()), "'-'",
        dbt.safe_cast('greatest(birth_month, birth_day)', dbt.type_string())]),
    'first_name_birth_month': dbt.concat([
        'first_name_clean', "'|'", dbt.safe_cast('birth_year', dbt.type_string()), "'-'",
        dbt.safe_cast('birth_month', dbt.type_string())]),
    'last_name_start_birth_day': dbt.concat([
        'left(last_name_first_part, 3)', "'|'", dbt.safe_cast('birth_month', dbt.type_string()),
        "'-'", dbt.safe_cast('birth_day', dbt.type_string())]),
    'birth_date_names_any_order': dbt.concat([
        dbt.safe_cast('birth_date', dbt.type_string()), "'|'",
        'least(first_name_clean, last_name_clean)', "'|'",
        'greatest(first_name_clean, last_name_clean)']),
    'last_name_start_birth_year_month': dbt.concat([
        'left(last_name_first_part, 3)', "'|'", dbt.safe_cast('birth_year', dbt.type_string()),
        "'-'", dbt.safe_cast('birth_month', dbt.type_string())]),
    'valid_sid': "case when sid_status = 'VALID' then sid end",
    'names_sound_alike': dbt.concat(['first_name_phonetic', "'|'", 'last_name_phonetic']),
} %}
with

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

block_keys as (
    {%- for rule_name, key_expression in blocking_rules.items() %}
    select
        record_key,
        '{{ rule_name }}' as blocking_rule,
        {{ key_expression }} as block_key
    from records
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

block_sizes as (
    select
        blocking_rule,
        block_key,
        count(*) as block_records
    from block_keys
    where block_key is not null
    group by blocking_rule, block_key
),

usable_block_keys as (
    select block_keys.*
    from block_keys
    inner join block_sizes
        on
            block_keys.blocking_rule = block_sizes.blocking_rule
            and block_keys.block_key = block_sizes.block_key
    where
        block_sizes.block_records between 2 and {{ var('identity_max_block_size') }}
),

pairs_blocked as (
    select
        left_key.record_key as left_record_key,
        right_key.record_key as right_record_key,
        left_key.blocking_rule
    from usable_block_keys as left_key
    inner join usable_block_keys as right_key
        on
            left_key.blocking_rule = right_key.blocking_rule
            and left_key.block_key = right_key.block_key
            and left_key.record_key < right_key.record_key
),

pairs_deduplicated as (
    select
        left_record_key,
        right_record_key,
        min(blocking_rule) as first_blocking_rule,
        count(*) as blocking_rules_matched
    from pairs_blocked
    group by left_record_key, right_record_key
)

select * from pairs_deduplicated
