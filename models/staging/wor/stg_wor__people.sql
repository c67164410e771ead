{{ stage_people('wor', 'people') }}
