{{ stage_stays('suf', 'bookings') }}
