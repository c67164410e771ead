{{ stage_events('hmd', 'program_events') }}
