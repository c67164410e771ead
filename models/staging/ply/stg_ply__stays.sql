{{ stage_stays('ply', 'stays') }}
