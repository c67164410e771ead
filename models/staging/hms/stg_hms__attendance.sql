{{ stage_attendance('hms', 'attendance') }}
