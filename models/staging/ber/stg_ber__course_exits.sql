{{ stage_exits('ber', 'course_exits') }}
