{{ stage_programs('ply', 'program_list') }}
