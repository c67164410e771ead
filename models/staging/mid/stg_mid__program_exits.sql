{{ stage_program_exits('mid', 'course_exits') }}
