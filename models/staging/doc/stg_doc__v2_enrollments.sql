{{ stage_enrollments('doc', 'enrollment') }}
