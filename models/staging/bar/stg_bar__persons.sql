{{ stage_persons('bar', 'persons') }}
