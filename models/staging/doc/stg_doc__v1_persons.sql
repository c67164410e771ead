{{ stage_persons('doc', 'inmates') }}
