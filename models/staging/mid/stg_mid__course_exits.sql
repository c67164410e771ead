{{ stage_exits('mid', 'course_exits') }}
