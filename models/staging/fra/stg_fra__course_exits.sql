{{ stage_exits('fra', 'course_exits') }}
