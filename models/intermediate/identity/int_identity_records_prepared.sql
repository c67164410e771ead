-- The person records to link, one row per agency person record, normalized for comparison:
-- names upper-cased without accents or punctuation, compound surnames split into their first and
-- last parts, phonetic keys of the names, birth date parts, unknown codes as null, the SID
-- checked (placeholders: all zeros, or one value carried by records of several clearly different
-- people) and name counts and frequencies for term-frequency adjustment. Reads
-- int_persons_unioned, or the relation named by the `identity_input_relation` variable
-- (`cts link`), which has the same columns.
with

{% if var('identity_input_relation') %}
persons as (
    select
        agency_code,
        agency_person_id,
        sid,
        last_name,
        first_name,
        middle_name,
        birth_date,
        sex_code,
        race_code
    from {{ var('identity_input_relation') }}
),
{% else %}
persons as (
    select * from {{ ref('int_persons_unioned') }}
),
{% endif %}

names_normalized as (
    select
        {{ dbt.concat(["agency_code", "':'", "agency_person_id"]) }} as record_key,
        agency_code,
        agency_person_id,
        {{ cts_clean_sid('sid') }} as sid,
        {{ cts_identity_clean_name('first_name') }} as first_name_clean,
        {{ cts_identity_clean_name('last_name') }} as last_name_clean,
        {{ cts_identity_compound_name('last_name') }} as last_name_compound,
        {{ cts_identity_clean_name('middle_name') }} as middle_name_clean,
        left({{ cts_identity_clean_name('middle_name') }}, 1) as middle_initial,
        cast(birth_date as date) as birth_date,
        case when upper(sex_code) in ('M', 'F') then upper(sex_code) end as sex_code,
        case
            when upper(race_code) not in ('U', '') then upper(race_code)
        end as race_code
    from persons
),

parts_added as (
    select
        *,
        {{ dbt.position("'-'", 'last_name_compound') }} > 0 as has_compound_last_name,
        {{ cts_identity_clean_name(dbt.split_part('last_name_compound', "'-'", 1)) }}
            as last_name_first_part,
        {{ cts_identity_clean_name(
            'reverse(' ~ dbt.split_part('reverse(last_name_compound)', "'-'", 1) ~ ')') }}
            as last_name_last_part,
        cast(extract(year from birth_date) as integer) as birth_year,
        cast(extract(month from birth_date) as integer) as birth_month,
        cast(extract(day from birth_date) as integer) as birth_day,
        replace({{ dbt.safe_cast('birth_date', dbt.type_string()) }}, '-', '') as birth_date_text,
        {{ cts_identity_sounds_alike('first_name_clean') }} as first_name_sounds,
        {{ cts_identity_sounds_alike('last_name_clean') }} as last_name_sounds
    from names_normalized
),

sid_holders as (
    select
        sid,
        count(distinct birth_date) as birth_dates_on_sid,
        count(distinct first_name_clean) as first_names_on_sid
    from parts_added
    where sid is not null
    group by sid
),

sids_checked as (
    select
        parts_added.*,
        case
            when parts_added.sid is null then 'MISSING'
            when not {{ cts_regex_full_match('parts_added.sid', 'MA[0-9]{9}') }} then 'MALFORMED'
            when {{ cts_regex_full_match('parts_added.sid', 'MA(0{9}|9{9}|123456789)') }}
                then 'PLACEHOLDER'
            when
                sid_holders.birth_dates_on_sid >= {{ var('identity_shared_sid_min_people') }}
                and sid_holders.first_names_on_sid >= {{ var('identity_shared_sid_min_people') }}
                then 'PLACEHOLDER'
            else 'VALID'
        end as sid_status
    from parts_added
    left join sid_holders
        on parts_added.sid = sid_holders.sid
),

frequencies_added as (
    select
        record_key,
        agency_code,
        agency_person_id,
        sid,
        sid_status,
        first_name_clean,
        last_name_clean,
        has_compound_last_name,
        last_name_first_part,
        last_name_last_part,
        {{ cts_identity_phonetic_key('first_name_sounds') }} as first_name_phonetic,
        {{ cts_identity_phonetic_key('last_name_sounds') }} as last_name_phonetic,
        middle_name_clean,
        middle_initial,
        birth_date,
        birth_year,
        birth_month,
        birth_day,
        birth_date_text,
        sex_code,
        race_code,
        count(*) over (partition by first_name_clean) as first_name_records,
        count(*) over (partition by last_name_clean) as last_name_records,
        cast(count(*) over (partition by first_name_clean) as {{ cts_type_double() }})
        / count(*) over () as first_name_frequency,
        cast(count(*) over (partition by last_name_clean) as {{ cts_type_double() }})
        / count(*) over () as last_name_frequency,
        cast(
            count(*) over (partition by first_name_clean, last_name_clean)
            as {{ cts_type_double() }}
        )
        / count(*) over () as full_name_frequency
    from sids_checked
)

select * from frequencies_added
