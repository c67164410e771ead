"""Experiment: certificates from linear programs over slabs of the published counts.

Usage: python dev/certificates/lp_slabs.py work/<dir>/warehouse.duckdb [--bonus all|sample]
Needs scipy (HiGHS), which the project does not install: `pip install "scipy>=1.16,<1.17"`.

Unlike `cell_suppression.py` this knows no cube: the relations are the rows of
`int_published_cell_groups` (distinct persons only over SEX and RACE_ETHNICITY). A *slab* is a
subset of cells; every cell outside it is held fixed, so a solution ``d`` of

    sum(side * d) = 0 over every group restricted to the slab
    1 <= true + d <= threshold on PRIMARY cells, true + d >= 0 elsewhere, |d| <= 1

is a certificate (real-valued) for every small count it moves. The objective rewards moving a
set of target counts (in a direction chosen per round) and charges every published count it
would newly withhold (dearer the more aggregated, zeros at 3). Each slab is one calendar year
with the two fiscal years it overlaps, all agencies and all categories (9 slabs at tiny).
Findings are in README.md.
"""

import argparse
import time
from collections import Counter

import duckdb
import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csc_matrix, hstack

THRESHOLD = 10

parser = argparse.ArgumentParser()
parser.add_argument("warehouse")
parser.add_argument("--bonus", choices=("all", "sample"), default="sample")
parser.add_argument("--rounds", type=int, default=6)
arguments = parser.parse_args()

con = duckdb.connect(arguments.warehouse, read_only=True)
cells = con.sql(
    """
    select
        cell_number, true_value, mart || '.' || measure as column_name,
        coalesce(period_type, 'NONE') as period_type, coalesce(period_year, 0) as period_year,
        (agency_code = 'ALL')::int + (category_code = 'ALL')::int + (dimension = 'ALL')::int
        + (measure = 'total_exits')::int as level
    from intermediate.int_published_counts
    order by cell_number
    """
).fetchnumpy()
groups = con.sql(
    """
    select group_key, cell_number, side
    from intermediate.int_published_cell_groups
    where not (
        group_key like 'DIMENSION|%|distinct_persons|%'
        and split_part(group_key, '|', 10) not in ('SEX', 'RACE_ETHNICITY')
    )
    """
).fetchnumpy()
number = cells["cell_number"]
value = cells["true_value"].astype(float)
position = np.searchsorted(number, groups["cell_number"])
_keys, row = np.unique(groups["group_key"], return_inverse=True)
relations = csc_matrix(
    (groups["side"].astype(float), (row, position)), shape=(len(_keys), len(number))
)
primary = (value >= 1) & (value <= THRESHOLD)
zero = value == 0
covered = np.zeros(len(number), dtype=bool)
withheld = primary.copy()
period_type = cells["period_type"].astype(str)
period_year = cells["period_year"].astype(int)


def solve(slab: np.ndarray, targets: np.ndarray, sign: np.ndarray, bonus: float) -> np.ndarray:
    block = relations[:, slab]
    block = block[np.flatnonzero(block.getnnz(axis=1) > 0)]
    size = len(slab)
    v, is_primary = value[slab], primary[slab]
    cost = np.where(withheld[slab], 0.0, np.where(zero[slab], 3.0, 2.0 ** cells["level"][slab]))
    low = np.where(is_primary, np.maximum(1 - v, -1), np.where(zero[slab], 0.0, -1.0))
    high = np.where(is_primary, np.minimum(THRESHOLD - v, 1), 1.0)
    reward = bonus * sign[slab] * targets[slab]
    result = linprog(
        np.concatenate([cost - reward, cost + reward]),
        A_eq=hstack([block, -block]).tocsr(),
        b_eq=np.zeros(block.shape[0]),
        bounds=np.stack([np.zeros(2 * size), np.concatenate([high, -low])], axis=1),
        method="highs-ds",
    )
    return result.x[:size] - result.x[size:]


schedule = [(50, 0.03), (50, 0.05), (50, 0.1), (50, 0.2), (200, 0.3), (1000, 0.5)]
for round_number in range(arguments.rounds):
    bonus, fraction = schedule[min(round_number, len(schedule) - 1)]
    rng = np.random.default_rng(round_number)
    sign = np.where(rng.random(len(number)) < 0.5, 1.0, -1.0)
    sign = np.where(value <= 1, 1.0, np.where(value >= THRESHOLD, -1.0, sign))
    targets = primary & ~covered
    if arguments.bonus == "sample":
        targets &= rng.random(len(number)) < fraction
    started, slowest = time.time(), 0.0
    for year in sorted(set(period_year[period_type == "CALENDAR_YEAR"].tolist())):
        in_slab = (
            ((period_type == "CALENDAR_YEAR") & (period_year == year))
            | ((period_type == "FISCAL_YEAR") & np.isin(period_year, [year, year + 1]))
            | (period_type == "NONE")
        )
        slab = np.flatnonzero(in_slab)
        if not targets[slab].any():
            continue
        clock = time.time()
        change = solve(slab, targets, sign, bonus)
        slowest = max(slowest, time.time() - clock)
        moved = np.abs(change) > 1e-6
        covered[slab[moved & primary[slab]]] = True
        withheld[slab[moved]] = True
    print(
        f"round {round_number}: {time.time() - started:.0f} s (slowest LP {slowest:.0f} s),"
        f" small counts without a certificate {int((primary & ~covered).sum())},"
        f" complementary {int((withheld & ~primary).sum())}, zeros {int((withheld & zero).sum())}",
        flush=True,
    )
left = primary & ~covered
print("without a certificate, by column:", Counter(cells["column_name"].astype(str)[left]))
print("without a certificate, by value:", Counter(value[left].astype(int).tolist()))
