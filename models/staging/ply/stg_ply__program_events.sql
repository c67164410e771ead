{{ stage_events('ply', 'program_events') }}
