{#- One macro per entity stages that entity for every agency: it renames the agency's raw
    columns (found through `meta.role` in the sources YAML), trims, parses dates in the
    agency's format and maps codes through the crosswalk seeds, keeping each raw value beside
    its mapped code. -#}

{#- A person file staged: person id, SID (`cts_clean_sid`), PCF number, names, birth date,
    and sex, race and ethnicity as sent and mapped through their crosswalks (U when unknown). -#}
{% macro stage_persons(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_clean_string(cts_role(spec, 'agency_person_id')) }} as agency_person_id,
        {{ cts_clean_sid(cts_role(spec, 'sid')) }} as sid,
        {{ cts_clean_string(cts_role(spec, 'pcf_number')) }} as pcf_number,
        -- strings
        {{ cts_staged_strings(spec, ['last_name', 'first_name', 'middle_name']) }}
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'sex')) }} as sex_raw,
        {{ cts_clean_code(cts_role(spec, 'race')) }} as race_raw,
        {{ cts_clean_code(cts_role(spec, 'ethnicity')) }} as ethnicity_raw,
        -- dates
        {{ cts_staged_date(spec, 'birth_date', 'birth_date', is_birth_date=true) }}
    from source
),

codes_mapped as (
    select
        renamed.*,
        coalesce(sex_crosswalk.sex_code, 'U') as sex_code,
        coalesce(race_crosswalk.race_code, 'U') as race_code,
        coalesce(ethnicity_crosswalk.ethnicity_code, 'U') as ethnicity_code,
        (renamed.sex_raw is not null and sex_crosswalk.sex_code is null)
        or (renamed.race_raw is not null and race_crosswalk.race_code is null)
        or (renamed.ethnicity_raw is not null and ethnicity_crosswalk.ethnicity_code is null)
            as has_unknown_code
    from renamed
    {{ cts_crosswalk_join('xwalk_sex', 'sex_crosswalk', 'sex_raw') }}
    {{ cts_crosswalk_join('xwalk_race', 'race_crosswalk', 'race_raw') }}
    {{ cts_crosswalk_join('xwalk_ethnicity', 'ethnicity_crosswalk', 'ethnicity_raw') }}
)

select * from codes_mapped
{% endmacro %}


{#- A county custody-stays file staged: stay and person ids, facility, sending agency,
    custody status and release reason as sent and mapped, admission and release dates. -#}
{% macro stage_stays(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_staged_strings(spec, ['stay_id', 'agency_person_id']) }}
        {{ cts_clean_code(cts_role(spec, 'facility')) }} as facility_code,
        {{ cts_clean_code(cts_role(spec, 'sending_agency')) }} as sending_agency_code,
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'custody_status')) }} as custody_status_raw,
        {{ cts_clean_string(cts_role(spec, 'release_reason')) }} as release_reason_raw,
        -- dates
        {{ cts_staged_date(spec, 'admission_date', 'admission_date') }},
        {{ cts_staged_date(spec, 'release_date', 'release_date') }}
    from source
),

codes_mapped as (
    select
        renamed.*,
        coalesce(custody_crosswalk.custody_status_code, 'UNKNOWN') as custody_status_code,
        renamed.custody_status_raw is not null
        and custody_crosswalk.custody_status_code is null as has_unknown_code
    from renamed
    {{ cts_crosswalk_join('xwalk_custody_status', 'custody_crosswalk', 'custody_status_raw') }}
)

select * from codes_mapped
{% endmacro %}


{#- DOC's movements file staged: person (commitment), facility, movement code and
    description, custody status as sent and mapped, movement date. -#}
{% macro stage_movements(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_clean_string(cts_role(spec, 'agency_person_id')) }} as agency_person_id,
        {{ cts_clean_code(cts_role(spec, 'facility')) }} as facility_code,
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'movement_code')) }} as movement_code,
        {{ cts_clean_string(cts_role(spec, 'movement_description')) }} as movement_description,
        {{ cts_clean_code(cts_role(spec, 'custody_status')) }} as custody_status_raw,
        -- dates
        {{ cts_staged_date(spec, 'movement_date', 'movement_date') }}
    from source
),

codes_mapped as (
    select
        renamed.*,
        coalesce(custody_crosswalk.custody_status_code, 'UNKNOWN') as custody_status_code,
        renamed.custody_status_raw is not null
        and custody_crosswalk.custody_status_code is null as has_unknown_code
    from renamed
    {{ cts_crosswalk_join('xwalk_custody_status', 'custody_crosswalk', 'custody_status_raw') }}
)

select * from codes_mapped
{% endmacro %}


{#- A program catalog file staged: the agency's program code, name, type and facility. -#}
{% macro stage_programs(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_clean_string(cts_role(spec, 'agency_program_code')) }} as agency_program_code,
        {{ cts_clean_code(cts_role(spec, 'facility')) }} as facility_code,
        -- strings
        {{ cts_clean_string(cts_role(spec, 'agency_program_name')) }} as agency_program_name,
        {{ cts_clean_string(cts_role(spec, 'agency_program_type')) }} as agency_program_type
    from source
)

select * from renamed
{% endmacro %}


{#- An enrollments file staged (enrollment layout and DOC): enrollment, stay, person and
    program ids, start and end dates, and the exit reason mapped to the common code. -#}
{% macro stage_enrollments(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
{#- DOC sends an exit code and a description; the code is mapped, falling back to the text.
    Other agencies send free text only. -#}
{%- set has_code = 'exit_reason_code' in spec.columns -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_clean_string(cts_role(spec, 'enrollment_id')) }} as enrollment_id,
        {%- if 'stay_id' in spec.columns %}
        {{ cts_staged_strings(spec, ['stay_id', 'agency_person_id']) }}
        {%- else %}
        {#- commitment-keyed agencies: the commitment is both the person record and the stay -#}
        {{ cts_clean_string(cts_role(spec, 'agency_person_id')) }} as stay_id,
        {{ cts_clean_string(cts_role(spec, 'agency_person_id')) }} as agency_person_id,
        {%- endif %}
        {{ cts_clean_string(cts_role(spec, 'agency_program_code')) }} as agency_program_code,
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'exit_reason_code')) }} as exit_reason_code_raw,
        {{ cts_clean_string(cts_role(spec, 'exit_reason')) }} as exit_reason_raw,
        -- dates
        {{ cts_staged_date(spec, 'start_date', 'start_date') }},
        {{ cts_staged_date(spec, 'end_date', 'end_date') }}
    from source
),

lookup_keys_added as (
    select
        *,
        {{ cts_clean_code('exit_reason_raw') }} as exit_reason_lookup
    from renamed
),

codes_mapped as (
    select
        lookup_keys_added.*,
        {{ cts_exit_reason_code(
            ['code_crosswalk.exit_reason_code', 'text_crosswalk.exit_reason_code'],
            ['exit_reason_code_raw', 'exit_reason_lookup'], 'end_date') }} as exit_reason_code
    from lookup_keys_added
    left join {{ ref('xwalk_exit_reasons') }} as code_crosswalk
        on
            lookup_keys_added.agency_code = code_crosswalk.agency_code
            and lookup_keys_added.exit_reason_code_raw = code_crosswalk.raw_value
    left join {{ ref('xwalk_exit_reasons') }} as text_crosswalk
        on
            lookup_keys_added.agency_code = text_crosswalk.agency_code
            and lookup_keys_added.exit_reason_lookup = text_crosswalk.raw_value
)

select * from codes_mapped
{% endmacro %}


{#- A program events file staged (events layout): event, person, stay and program ids,
    event type and reason as sent and mapped, event date. -#}
{% macro stage_program_events(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_staged_strings(
            spec, ['event_id', 'agency_person_id', 'stay_id', 'agency_program_code']) }}
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'event_type')) }} as event_type_raw,
        {{ cts_clean_string(cts_role(spec, 'event_reason')) }} as event_reason_raw,
        {{ cts_clean_code(cts_role(spec, 'event_reason')) }} as event_reason_lookup,
        -- dates
        {{ cts_staged_date(spec, 'event_date', 'event_date') }}
    from source
),

codes_mapped as (
    select
        renamed.*,
        coalesce(event_crosswalk.event_type_code, 'UNKNOWN') as event_type_code,
        coalesce(event_crosswalk.is_terminal, false) as is_terminal_event,
        case
            when event_crosswalk.is_terminal
                then coalesce(
                    reason_crosswalk.exit_reason_code,
                    event_crosswalk.default_exit_reason_code
                )
        end as exit_reason_code
    from renamed
    left join {{ ref('xwalk_event_types') }} as event_crosswalk
        on
            renamed.agency_code = event_crosswalk.agency_code
            and renamed.event_type_raw = event_crosswalk.raw_value
    left join {{ ref('xwalk_exit_reasons') }} as reason_crosswalk
        on
            renamed.agency_code = reason_crosswalk.agency_code
            and renamed.event_reason_lookup = reason_crosswalk.raw_value
)

select * from codes_mapped
{% endmacro %}


{#- An attendance file staged (attendance layout): one session per row, attended or not. -#}
{% macro stage_attendance(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_staged_strings(spec, ['attendance_id', 'agency_person_id', 'agency_program_code']) }}
        -- booleans
        {{ cts_clean_code(cts_role(spec, 'attended')) }} as attended_raw,
        coalesce({{ cts_clean_code(cts_role(spec, 'attended')) }} in ('Y', 'P', '1'), false)
            as is_attended,
        -- dates
        {{ cts_staged_date(spec, 'session_date', 'session_date') }}
    from source
)

select * from renamed
{% endmacro %}


{#- A program exits file staged (attendance layout): exit, person and program ids, exit status
    and reason as sent and mapped to the common exit reason, exit date. -#}
{% macro stage_program_exits(source_name, table_name) %}
{%- set spec = cts_source_spec(source_name, table_name) -%}
with

source as (
    select * from {{ source(source_name, table_name) }}
),

renamed as (
    select
        -- lineage
        {{ cts_lineage_columns() }},
        -- ids
        '{{ spec.agency_code }}' as agency_code,
        {{ cts_staged_strings(spec, ['exit_id', 'agency_person_id', 'agency_program_code']) }}
        -- codes as sent
        {{ cts_clean_code(cts_role(spec, 'exit_status')) }} as exit_reason_code_raw,
        {{ cts_clean_string(cts_role(spec, 'exit_reason')) }} as exit_reason_raw,
        -- dates
        {{ cts_staged_date(spec, 'exit_date', 'exit_date') }}
    from source
),

codes_mapped as (
    select
        renamed.*,
        {{ cts_exit_reason_code(
            ['code_crosswalk.exit_reason_code'], ['exit_reason_code_raw'], 'exit_date')
        }} as exit_reason_code
    from renamed
    left join {{ ref('xwalk_exit_reasons') }} as code_crosswalk
        on
            renamed.agency_code = code_crosswalk.agency_code
            and renamed.exit_reason_code_raw = code_crosswalk.raw_value
)

select * from codes_mapped
{% endmacro %}


{#- The common exit reason: the first crosswalk hit; a reason sent but not in any crosswalk is
    OTHER_KNOWN; no reason (or the word unknown) on an exit is UNKNOWN; no exit date and no
    reason is null (still active). -#}
{% macro cts_exit_reason_code(mapped_columns, raw_columns, exit_date_column) -%}
    case
        {%- for mapped in mapped_columns %}
        when {{ mapped }} is not null then {{ mapped }}
        {%- endfor %}
        when {{ raw_columns | join(' is not null or ') }} is not null
            then 'OTHER_KNOWN'
        when {{ exit_date_column }} is not null then 'UNKNOWN'
    end
{%- endmacro %}
