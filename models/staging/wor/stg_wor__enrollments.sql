{{ stage_enrollments('wor', 'enrollments') }}
