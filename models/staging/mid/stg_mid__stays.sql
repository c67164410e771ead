{{ stage_stays('mid', 'commitments') }}
