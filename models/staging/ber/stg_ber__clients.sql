{{ stage_people('ber', 'clients') }}
