{{ stage_events('bri', 'program_events') }}
