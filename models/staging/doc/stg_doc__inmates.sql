{{ stage_people('doc', 'inmates') }}
