{{ stage_persons('ber', 'clients') }}
