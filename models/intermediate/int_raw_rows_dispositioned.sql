-- What became of every raw row (one row per staged row of every agency table): CLEAN (used),
-- COLLAPSED (a duplicate or older version of a record whose newest version is used),
-- SUPERSEDED (its month was resubmitted) or QUARANTINED (with the reason), plus non-fatal
-- quality flags (unparseable date, unknown code). This is the conservation ledger: every raw
-- row is here exactly once. The union of every staging model is this model's purpose, so it
-- has more parents than any other.
{%- set entities = {
    'persons': {'key': 'agency_person_id', 'required': ['agency_person_id'],
        'dates': ['birth_date'], 'end': none, 'coded': true},
    'stays': {'key': 'stay_id', 'required': ['stay_id'],
        'dates': ['admission_date', 'release_date'], 'end': 'release_date', 'coded': true},
    'movements': {'key': none, 'required': ['agency_person_id', 'movement_date'],
        'dates': ['movement_date'], 'end': none, 'coded': true},
    'programs': {'key': none, 'required': ['agency_program_code'],
        'dates': [], 'end': none, 'coded': false},
    'enrollments': {'key': 'enrollment_id', 'required': ['enrollment_id'],
        'dates': ['start_date', 'end_date'], 'end': 'end_date', 'coded': false},
    'program_events': {'key': 'event_id', 'required': ['event_id', 'event_date', 'agency_person_id'],
        'dates': ['event_date'], 'end': none, 'coded': false},
    'attendance': {'key': 'attendance_id', 'required': ['attendance_id'],
        'dates': ['session_date'], 'end': none, 'coded': false},
    'program_exits': {'key': 'exit_id', 'required': ['exit_id', 'exit_date'],
        'dates': ['exit_date'], 'end': none, 'coded': false},
} %}
with

spells as (
    select * from {{ ref('int_program_spells_checked') }}
),

{%- for entity, spec in entities.items() %}

{{ entity }}_rows as (
    {%- for model_name in cts_staged_models(entity) %}
    select
        '{{ model_name }}' as staging_model,
        '{{ entity }}' as entity,
        agency_code,
        submission_id,
        reporting_period,
        revision_number,
        source_file,
        source_line,
        source_row_id,
        is_latest_revision,
        {%- if spec.key %}
        {{ spec.key }} as record_key,
        {%- endif %}
        {%- if spec.end %}
        {{ spec.end }} as record_end_date,
        {%- endif %}
        {%- for column in spec.required %}
        {{ column }} is null as is_missing_{{ column }},
        {%- endfor %}
        {%- if spec.dates %}
        (
            {%- for date_column in spec.dates %}
            ({{ date_column }}_raw is not null and {{ date_column }} is null)
            {%- if not loop.last %} or{% endif %}
            {%- endfor %}
        ) as has_unparseable_date,
        {%- else %}
        false as has_unparseable_date,
        {%- endif %}
        {{ "event_type_code = 'UNKNOWN'" if entity == 'program_events' else 'false' }}
            as has_unknown_event_type,
        {{ 'has_unknown_code' if spec.coded else 'false' }} as has_unknown_code
    from {{ ref(model_name) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- the versions of a record ranked like the spell models rank them: over every table of the
-- entity (an agency that changed layouts sends one record in both), among the rows of each
-- month's latest revision
{{ entity }}_ranked as (
    select
        *,
        {%- if spec.key %}
        case
            when is_latest_revision and record_key is not null
                then {{ cts_version_rank(
                    ['agency_code', 'record_key', 'is_latest_revision'],
                    'record_end_date' if spec.end else none) }}
        end as version_rank
        {%- else %}
        1 as version_rank
        {%- endif %}
    from {{ entity }}_rows
),
{%- endfor %}

dispositioned as (
    {%- for entity, spec in entities.items() %}
    select
        {{ entity }}_ranked.staging_model,
        {{ entity }}_ranked.entity,
        {{ entity }}_ranked.agency_code,
        {{ entity }}_ranked.submission_id,
        {{ entity }}_ranked.reporting_period,
        {{ entity }}_ranked.revision_number,
        {{ entity }}_ranked.source_file,
        {{ entity }}_ranked.source_line,
        {{ entity }}_ranked.source_row_id,
        case
            when not {{ entity }}_ranked.is_latest_revision then 'RESUBMITTED_MONTH'
            {%- for column in spec.required %}
            when {{ entity }}_ranked.is_missing_{{ column }} then 'MISSING_{{ column | upper }}'
            {%- endfor %}
            when {{ entity }}_ranked.has_unknown_event_type then 'UNKNOWN_EVENT_TYPE'
            when {{ entity }}_ranked.version_rank > 1 then 'DUPLICATE_OR_OLDER_VERSION'
            when spells.quarantine_reason is not null then spells.quarantine_reason
        end as disposition_reason,
        {{ entity }}_ranked.has_unparseable_date,
        {{ entity }}_ranked.has_unknown_code
    from {{ entity }}_ranked
    left join spells
        on
            {{ entity }}_ranked.agency_code = spells.agency_code
            and {{ entity }}_ranked.source_row_id = spells.source_row_id
            and not spells.is_publishable
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        *,
        case
            when disposition_reason is null then 'CLEAN'
            when disposition_reason = 'RESUBMITTED_MONTH' then 'SUPERSEDED'
            when disposition_reason = 'DUPLICATE_OR_OLDER_VERSION' then 'COLLAPSED'
            else 'QUARANTINED'
        end as disposition
    from dispositioned
)

select * from final
