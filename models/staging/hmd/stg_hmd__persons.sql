{{ stage_persons('hmd', 'persons') }}
