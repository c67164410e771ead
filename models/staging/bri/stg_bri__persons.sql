{{ stage_people('bri', 'persons') }}
