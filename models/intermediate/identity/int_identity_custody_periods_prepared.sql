-- The custody periods of every person record whose both ends are known: each stay (sheriffs'
-- bookings and commitments, DOC commitments) with an admission and a release date, the release
-- not before the admission. One person cannot be held twice at the same time, so two records
-- held over the same days are two people (comparison `custody`, macros/identity). Open stays are
-- left out: a missing release is as often a release never sent as a person still held. `cts
-- link` (the `identity_input_relation` variable) has no stays: no periods, level `missing` on
-- every pair. One row per closed stay.
with

{% if var('identity_input_relation') %}
periods as (
    select
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as date) as admission_date,
        cast(null as date) as release_date
    where 1 = 0
)
{% else %}
stays as (
    select * from {{ ref('int_stays_unioned') }}
),

periods as (
    select
        {{ dbt.concat(["agency_code", "':'", "agency_person_id"]) }} as record_key,
        admission_date,
        release_date
    from stays
    where
        agency_person_id is not null
        and admission_date is not null
        and release_date is not null
        and release_date >= admission_date
)
{% endif %}

select * from periods
