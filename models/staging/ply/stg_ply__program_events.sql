{{ stage_program_events('ply', 'program_events') }}
