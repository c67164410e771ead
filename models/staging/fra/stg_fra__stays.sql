{{ stage_stays('fra', 'commitments') }}
