{{ stage_persons('nor', 'persons') }}
