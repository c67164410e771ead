{{ stage_programs('bri', 'program_list') }}
