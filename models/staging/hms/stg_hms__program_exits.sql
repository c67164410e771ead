{{ stage_program_exits('hms', 'course_exits') }}
