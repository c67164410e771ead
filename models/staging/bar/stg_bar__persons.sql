{{ stage_people('bar', 'persons') }}
