{{ stage_persons('suf', 'inmates') }}
