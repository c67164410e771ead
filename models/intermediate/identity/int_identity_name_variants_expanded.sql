-- First names that may stand for one another, from the nicknames seed: a formal name and each of
-- its nicknames, both ways, and two nicknames of the same formal name. One row per ordered pair
-- of normalized names.
with

nicknames as (
    select * from {{ ref('nicknames') }}
),

names_cleaned as (
    select
        {{ cts_identity_clean_name('formal_name') }} as formal_name_clean,
        {{ cts_identity_clean_name('nickname') }} as nickname_clean
    from nicknames
),

pairs_both_ways as (
    select
        formal_name_clean as first_name_clean,
        nickname_clean as variant_first_name_clean
    from names_cleaned
    union all
    select
        nickname_clean as first_name_clean,
        formal_name_clean as variant_first_name_clean
    from names_cleaned
    union all
    select
        one_nickname.nickname_clean as first_name_clean,
        other_nickname.nickname_clean as variant_first_name_clean
    from names_cleaned as one_nickname
    inner join names_cleaned as other_nickname
        on one_nickname.formal_name_clean = other_nickname.formal_name_clean
),

variants as (
    select distinct
        first_name_clean,
        variant_first_name_clean
    from pairs_both_ways
    where first_name_clean != variant_first_name_clean
)

select * from variants
