{#- Every non-null date of the column lies inside the reporting window
    (`window_start_date` .. `window_end_date`). -#}
{% test dates_in_window(model, column_name) %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} < {{ cts_window_start() }}
    or {{ column_name }} > {{ cts_window_end() }}

{% endtest %}
