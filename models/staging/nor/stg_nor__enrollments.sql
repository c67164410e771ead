{{ stage_enrollments('nor', 'enrollments') }}
