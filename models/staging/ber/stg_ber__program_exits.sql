{{ stage_program_exits('ber', 'course_exits') }}
