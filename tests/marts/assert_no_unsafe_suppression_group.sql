-- No relation group among the published counts is left unsafe while it could still be
-- protected: none holds exactly one suppressed cell (recovered by subtraction) or suppressed
-- cells pinned by the bounds their flags reveal (cts_unsafe_group_condition) and still has an
-- unsuppressed non-zero cell that could have been suppressed with them. Groups made only of
-- small cells (ten categories of 1 adding up to a total of 10) cannot be protected by
-- suppression; the disclosure checker reports them.
with

memberships as (
    select * from {{ ref('int_published_cells_grouped') }}
),

counts as (
    select * from {{ ref('int_published_counts_protected') }}
),

suppressed_members as (
    select
        memberships.group_key,
        memberships.side,
        counts.suppression,
        counts.true_value
    from memberships
    inner join counts
        on memberships.cell_number = counts.cell_number
    where counts.suppression is not null
),

unsafe_groups as (
    select group_key
    from suppressed_members
    group by group_key
    having {{ cts_unsafe_group_condition('suppression', 'true_value', 'side') }}
),

groups_with_partners_left as (
    select distinct memberships.group_key
    from memberships
    inner join counts
        on memberships.cell_number = counts.cell_number
    where counts.suppression is null and counts.true_value > 0
)

select unsafe_groups.group_key
from unsafe_groups
inner join groups_with_partners_left
    on unsafe_groups.group_key = groups_with_partners_left.group_key
