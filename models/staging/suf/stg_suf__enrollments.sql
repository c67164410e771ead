{{ stage_enrollments('suf', 'enrollments') }}
