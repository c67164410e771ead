{{ stage_persons('doc', 'person') }}
