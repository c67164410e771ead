{{ stage_programs('doc', 'programs') }}
