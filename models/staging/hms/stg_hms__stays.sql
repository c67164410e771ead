{{ stage_stays('hms', 'commitments') }}
