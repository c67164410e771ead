{{ stage_programs('duk', 'programs') }}
