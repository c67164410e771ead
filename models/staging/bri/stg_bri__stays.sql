{{ stage_stays('bri', 'stays') }}
