-- A person key across agencies and commitments. Links on a valid SID; drops placeholder SIDs
-- (malformed, all zeros, or one value carried by records of several different people); links
-- records without a usable SID through an exact match on normalised name and birth date to a
-- record that has one. The probabilistic model of the identity issue refines this.
with

persons as (
    select * from {{ ref('int_persons_unioned') }}
),

identity_keys_added as (
    select
        *,
        case
            when last_name is not null and first_name is not null and birth_date is not null
                then {{ dbt.hash(dbt.concat([
                    "upper(last_name)", "'|'", "upper(first_name)", "'|'",
                    dbt.safe_cast("birth_date", dbt.type_string())])) }}
        end as name_birth_key
    from persons
),

sid_identities as (
    select
        sid,
        count(distinct name_birth_key) as identities_on_sid
    from identity_keys_added
    where sid is not null
    group by sid
),

sids_checked as (
    select
        identity_keys_added.*,
        case
            when identity_keys_added.sid is null then 'MISSING'
            when not {{ cts_regex_full_match('identity_keys_added.sid', 'MA[0-9]{9}') }}
                then 'MALFORMED'
            when {{ cts_regex_full_match('identity_keys_added.sid', 'MA0+') }}
                then 'PLACEHOLDER'
            when sid_identities.identities_on_sid >= 3 then 'PLACEHOLDER'
            else 'VALID'
        end as sid_status
    from identity_keys_added
    left join sid_identities
        on identity_keys_added.sid = sid_identities.sid
),

sid_by_name_birth as (
    select
        name_birth_key,
        min(sid) as linked_sid
    from sids_checked
    where sid_status = 'VALID' and name_birth_key is not null
    group by name_birth_key
),

keys_resolved as (
    select
        sids_checked.*,
        case
            when sids_checked.sid_status = 'VALID' then 'SID'
            when sid_by_name_birth.linked_sid is not null then 'NAME_BIRTH_TO_SID'
            when sids_checked.name_birth_key is not null then 'NAME_BIRTH'
            else 'AGENCY_RECORD'
        end as link_method,
        coalesce(
            case when sids_checked.sid_status = 'VALID' then sids_checked.sid end,
            sid_by_name_birth.linked_sid,
            sids_checked.name_birth_key,
            {{ dbt.concat(["sids_checked.agency_code", "':'", "sids_checked.agency_person_id"]) }}
        ) as person_anchor
    from sids_checked
    left join sid_by_name_birth
        on sids_checked.name_birth_key = sid_by_name_birth.name_birth_key
),

final as (
    select
        agency_code,
        agency_person_id,
        {{ dbt.hash('person_anchor') }} as person_id,
        link_method,
        sid_status,
        sid,
        last_name,
        first_name,
        middle_name,
        birth_date,
        sex_code,
        race_code,
        ethnicity_code,
        case
            when ethnicity_code = 'Y' then 'HISPANIC'
            when race_code = 'W' then 'WHITE_NH'
            when race_code = 'B' then 'BLACK_NH'
            when race_code = 'A' then 'API_NH'
            when race_code = 'I' then 'AIAN_NH'
            when race_code = 'O' then 'OTHER_NH'
            else 'UNKNOWN'
        end as race_ethnicity_code
    from keys_resolved
)

select * from final
