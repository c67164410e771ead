-- A person key across agencies and commitments, from the probabilistic identity linkage
-- (models/intermediate/identity): SID links with placeholders dropped, Fellegi-Sunter links on
-- names, birth date, sex and race for everything else, clustered into persons with conflict
-- checks. One row per agency person record.
with

persons as (
    select * from {{ ref('int_persons_unioned') }}
),

identity_persons as (
    select * from {{ ref('int_identity_persons_resolved') }}
),

persons_linked as (
    select
        persons.agency_code,
        persons.agency_person_id,
        identity_persons.person_id,
        identity_persons.link_method,
        identity_persons.match_probability,
        identity_persons.sid_status,
        persons.sid,
        persons.last_name,
        persons.first_name,
        persons.middle_name,
        persons.birth_date,
        persons.sex_code,
        persons.race_code,
        persons.ethnicity_code,
        case
            when persons.ethnicity_code = 'Y' then 'HISPANIC'
            when persons.race_code = 'W' then 'WHITE_NH'
            when persons.race_code = 'B' then 'BLACK_NH'
            when persons.race_code = 'A' then 'API_NH'
            when persons.race_code = 'I' then 'AIAN_NH'
            when persons.race_code = 'O' then 'OTHER_NH'
            else 'UNKNOWN'
        end as race_ethnicity_code
    from persons
    inner join identity_persons
        on
            persons.agency_code = identity_persons.agency_code
            and persons.agency_person_id = identity_persons.agency_person_id
)

select * from persons_linked
