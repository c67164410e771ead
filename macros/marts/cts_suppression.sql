{#- A count small enough to be suppressed: from 1 to `suppression_threshold` (DOMAIN.md §5);
    zeros are published. -#}
{% macro cts_is_small(column) -%}
    ({{ column }} between 1 and {{ var('suppression_threshold') }})
{%- endmacro %}


{#- The `having` condition that makes a relation group unsafe, over its suppressed cells (one
    row per suppressed cell with its `suppression`, true `value` and `side` in the group's
    equation, sum of side 1 = sum of side -1). The published cells fix the suppressed cells'
    signed sum S; an attacker who knows PRIMARY means 1..threshold and COMPLEMENTARY means at
    least 0 pins them when S is the least or the greatest signed sum those bounds allow. A
    single suppressed cell is always pinned, and a group whose suppressed cells are all small
    leaves each of them a narrow range: it needs a suppressed cell above the threshold. -#}
{% macro cts_unsafe_group_condition(suppression, value, side) -%}
    {%- set threshold = var('suppression_threshold') -%}
    {%- set is_primary = suppression ~ " = 'PRIMARY'" -%}
    count(*) = 1
    -- only small cells suppressed: the group's remainder bounds every one of them tightly
    or max({{ value }}) <= {{ threshold }}
    or (
        -- no COMPLEMENTARY cell on side -1 leaves the least signed sum bounded
        sum(case when {{ side }} = -1 and not {{ is_primary }} then 1 else 0 end) = 0
        and sum({{ side }} * {{ value }})
        = sum(
            case
                when {{ side }} = 1 and {{ is_primary }} then 1
                when {{ side }} = -1 then -{{ threshold }}
                else 0
            end
        )
    )
    or (
        sum(case when {{ side }} = 1 and not {{ is_primary }} then 1 else 0 end) = 0
        and sum({{ side }} * {{ value }})
        = sum(
            case
                when {{ side }} = 1 then {{ threshold }}
                when {{ side }} = -1 and {{ is_primary }} then -1
                else 0
            end
        )
    )
{%- endmacro %}
