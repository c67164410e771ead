{{ stage_programs('nor', 'programs') }}
