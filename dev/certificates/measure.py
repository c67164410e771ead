"""Run the certificate search on a built warehouse and check every certificate in SQL.

Usage: python dev/certificates/measure.py work/<dir>/warehouse.duckdb
"""

import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
import cell_suppression  # noqa: E402

CHECK = """
with
c as (
    select * from cert
    inner join intermediate.int_published_counts using (cell_number)
),
g as (
    select * from intermediate.int_published_cell_groups
    where not (
        group_key like 'DIMENSION|%|distinct_persons|%'
        and split_part(group_key, '|', 10) not in ('SEX', 'RACE_ETHNICITY')
    )
),
unbalanced as (
    select certificate, group_key from c inner join g using (cell_number)
    group by all having sum(side * change) != 0
),
bounds as (
    select * from c
    where true_value + change < 0
       or (true_value between 1 and 10 and true_value + change not between 1 and 10)
),
withheld as (select distinct cell_number from cert),
small as (
    select cell_number from intermediate.int_published_counts
    where true_value between 1 and 10
)
select
    (select count(*) from unbalanced) as unbalanced,
    (select count(*) from bounds) as out_of_bounds,
    (select count(*) from small where cell_number not in (select * from withheld))
        as unprotected,
    (select count(*) from withheld where cell_number not in (select * from small))
        as complementary
"""

con = duckdb.connect(sys.argv[1], read_only=True)
columns = con.sql(
    "select * exclude (cell_id) from intermediate.int_published_counts order by cell_number"
).fetchnumpy()
started = time.time()
result = cell_suppression.choose(columns, 10)
print("search", round(time.time() - started, 1), "s", result["stats"])
con.register("cert", {k: result[k] for k in ("certificate", "cell_number", "change")})
print(con.sql(CHECK))
