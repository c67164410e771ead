{{ stage_persons('duk', 'inmates') }}
