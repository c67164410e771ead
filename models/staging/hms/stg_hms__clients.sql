{{ stage_people('hms', 'clients') }}
