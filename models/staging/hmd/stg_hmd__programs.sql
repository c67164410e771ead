{{ stage_programs('hmd', 'program_list') }}
