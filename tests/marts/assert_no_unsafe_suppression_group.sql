-- No relation group among the published counts is unsafe: none holds exactly one suppressed
-- cell (recovered by subtraction) and none has suppressed cells pinned by the bounds their
-- flags reveal (see cts_unsafe_group_condition).
with

memberships as (
    select * from {{ ref('int_published_cell_groups') }}
),

suppressed_cells as (
    select * from {{ ref('int_published_counts_suppressed') }}
    where suppression is not null
)

select memberships.group_key
from memberships
inner join suppressed_cells
    on memberships.cell_number = suppressed_cells.cell_number
group by memberships.group_key
having {{ cts_unsafe_group_condition(
    'suppressed_cells.suppression', 'suppressed_cells.true_value', 'memberships.side') }}
