{{ stage_stays('ess', 'bookings') }}
