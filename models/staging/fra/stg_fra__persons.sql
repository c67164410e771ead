{{ stage_persons('fra', 'clients') }}
