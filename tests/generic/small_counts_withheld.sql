-- Every count from 1 to the threshold is withheld as PRIMARY, and nothing else is PRIMARY: the
-- protection's decisions were made for these very counts (a stale decisions table, written for
-- an earlier build of the long table, fails here).
{% test cts_small_counts_withheld(model, threshold) %}
select
    cell_id,
    true_value,
    suppression_reason
from {{ model }}
where
    (true_value between 1 and {{ threshold }})
    != (suppression_reason is not null and suppression_reason = 'PRIMARY')
{% endtest %}
