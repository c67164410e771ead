{{ stage_exits('hms', 'course_exits') }}
