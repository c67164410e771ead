{{ stage_people('nor', 'persons') }}
