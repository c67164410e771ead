{{ stage_persons('hms', 'clients') }}
