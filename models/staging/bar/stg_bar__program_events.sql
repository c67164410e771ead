{{ stage_events('bar', 'program_events') }}
