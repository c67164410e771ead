{{ stage_programs('doc', 'program') }}
