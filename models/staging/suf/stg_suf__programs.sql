{{ stage_programs('suf', 'programs') }}
