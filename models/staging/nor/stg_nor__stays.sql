{{ stage_stays('nor', 'commitments') }}
