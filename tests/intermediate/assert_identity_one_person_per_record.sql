-- Every person record to link gets exactly one person, and nothing else gets one.
with

records as (
    select * from {{ ref('int_identity_records_prepared') }}
),

persons as (
    select * from {{ ref('int_identity_persons_resolved') }}
),

persons_per_record as (
    select
        records.record_key,
        count(persons.record_key) as persons_assigned
    from records
    left join persons
        on records.record_key = persons.record_key
    group by records.record_key
),

records_without_one_person as (
    select
        record_key,
        persons_assigned
    from persons_per_record
    where persons_assigned != 1
),

persons_without_record as (
    select
        persons.record_key,
        0 as persons_assigned
    from persons
    left join records
        on persons.record_key = records.record_key
    where records.record_key is null
),

failures as (
    select * from records_without_one_person
    union all
    select * from persons_without_record
)

select * from failures
