{{ stage_movements('doc', 'movements') }}
