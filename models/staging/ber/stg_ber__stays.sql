{{ stage_stays('ber', 'commitments') }}
