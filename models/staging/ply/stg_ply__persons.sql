{{ stage_persons('ply', 'persons') }}
