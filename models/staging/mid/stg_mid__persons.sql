{{ stage_persons('mid', 'clients') }}
