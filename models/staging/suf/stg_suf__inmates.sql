{{ stage_people('suf', 'inmates') }}
