{{ stage_people('duk', 'inmates') }}
