{{ stage_people('mid', 'clients') }}
