{{ stage_persons('bri', 'persons') }}
