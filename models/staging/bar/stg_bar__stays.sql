{{ stage_stays('bar', 'stays') }}
