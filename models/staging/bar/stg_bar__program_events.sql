{{ stage_program_events('bar', 'program_events') }}
