{{ stage_programs('wor', 'programs') }}
