{{ stage_enrollments('ess', 'enrollments') }}
