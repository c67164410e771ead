{{ stage_enrollments('duk', 'enrollments') }}
