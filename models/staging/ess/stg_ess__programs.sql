{{ stage_programs('ess', 'programs') }}
