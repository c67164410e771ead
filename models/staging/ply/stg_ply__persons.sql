{{ stage_people('ply', 'persons') }}
