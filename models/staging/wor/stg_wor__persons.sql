{{ stage_persons('wor', 'people') }}
