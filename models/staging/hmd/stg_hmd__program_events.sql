{{ stage_program_events('hmd', 'program_events') }}
