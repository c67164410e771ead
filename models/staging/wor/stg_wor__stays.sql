{{ stage_stays('wor', 'bookings') }}
