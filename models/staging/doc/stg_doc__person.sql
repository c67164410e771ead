{{ stage_people('doc', 'person') }}
