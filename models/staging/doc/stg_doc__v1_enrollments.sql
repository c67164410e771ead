{{ stage_enrollments('doc', 'prog_enroll') }}
