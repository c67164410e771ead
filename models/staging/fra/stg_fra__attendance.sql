{{ stage_attendance('fra', 'attendance') }}
