{{ stage_programs('mid', 'courses') }}
