{{ stage_attendance('mid', 'attendance') }}
