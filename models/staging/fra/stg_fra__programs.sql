{{ stage_programs('fra', 'courses') }}
