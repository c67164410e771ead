-- No relation group among the published counts holds exactly one suppressed cell: a lone
-- suppressed cell could be recovered by subtraction from the others.
with

memberships as (
    select * from {{ ref('int_published_cell_groups') }}
),

counts as (
    select * from {{ ref('int_published_counts_suppressed') }}
)

select
    memberships.group_key,
    count(*) as cells,
    sum(case when counts.suppression is not null then 1 else 0 end) as suppressed_cells
from memberships
inner join counts
    on memberships.cell_number = counts.cell_number
group by memberships.group_key
having sum(case when counts.suppression is not null then 1 else 0 end) = 1
