{{ stage_stays('duk', 'bookings') }}
