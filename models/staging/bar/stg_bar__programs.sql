{{ stage_programs('bar', 'program_list') }}
