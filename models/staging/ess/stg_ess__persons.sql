{{ stage_persons('ess', 'inmates') }}
