{{ stage_stays('hmd', 'stays') }}
