{{ stage_program_exits('fra', 'course_exits') }}
