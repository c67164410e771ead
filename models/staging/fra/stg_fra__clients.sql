{{ stage_people('fra', 'clients') }}
