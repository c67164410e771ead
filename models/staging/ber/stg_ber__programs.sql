{{ stage_programs('ber', 'courses') }}
