{{ stage_program_events('bri', 'program_events') }}
