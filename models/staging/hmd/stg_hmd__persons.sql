{{ stage_people('hmd', 'persons') }}
