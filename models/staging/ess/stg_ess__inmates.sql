{{ stage_people('ess', 'inmates') }}
