{{ stage_attendance('ber', 'attendance') }}
