{{ stage_programs('hms', 'courses') }}
