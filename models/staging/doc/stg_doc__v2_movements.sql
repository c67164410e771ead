{{ stage_movements('doc', 'movement') }}
