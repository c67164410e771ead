"""Identity linkage on labelled data the project did not build: `cts link` against Splink 4.

For each benchmark (bench/linkage_data.py: RLdata10000, pseudopeople census + Social Security,
and the project's own generator), the records go through `cts link` (the warehouse's dbt
identity models on a scratch DuckDB) and through Splink 4 on DuckDB with the same fields, trained
without labels (prior from a deterministic rule, u from random pairs, m by EM over two blocking
rules), clustered at match probability 0.5. Reported per benchmark, into
`bench/results/linkage_<benchmark>.json` and a table in `bench/results/linkage.md`:

- pairwise precision, recall and F1 (a pair of records is predicted when both records get the
  same person), overall and by SID availability of the pair (both, one or neither record
  carries a well-formed SID);
- blocking recall: the share of true pairs that are candidate pairs (direct), and the share
  whose records are connected through true candidate pairs (what clustering can reach);
- the share of true pairs that agree exactly on first name, last name and birth date (names
  upper-cased, letters only), the yardstick for the generator's noise;
- a cross-validation of `cts link`'s link threshold: chosen on the pair scores of half of the
  people (split by a hash of the true entity), scored on the other half, and the other way
  round; next to the fixed threshold scored on the same halves;
- the same cross-validation of `identity_calibration_prior_pairs` (the pseudo-pairs of the
  model's own probability in the recalibration of a pattern on pairs of SID holders).

The truth is read only here, after linking.

    python bench/bench_linkage.py                        # every benchmark
    python bench/bench_linkage.py --only rldata10000 --no-splink
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linkage_data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SID_PATTERN = re.compile(r"MA[0-9]{9}")
SID_CLASSES = ("both", "one", "neither")
SPLINK_THRESHOLD = 0.5
SPLINK_PRIOR_RECALL = 0.8
THRESHOLD_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def has_sid(sid: str) -> bool:
    return bool(SID_PATTERN.fullmatch(sid)) and sid != "MA000000000"


def clean_name(text: str) -> str:
    return re.sub(r"[^A-Z]", "", linkage_data.ascii_upper(text))


def true_pairs(truth: dict[str, str]) -> list[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for record_id, entity in truth.items():
        members.setdefault(entity, []).append(record_id)
    pairs = []
    for records in members.values():
        records.sort()
        pairs += [(a, b) for i, a in enumerate(records) for b in records[i + 1 :]]
    return pairs


def pairwise(predicted: dict[str, str], truth: dict[str, str], sids: dict[str, bool]) -> dict:
    """Pairwise precision, recall and F1, overall and by SID availability of the pair."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(
        "create table evaluated (record_id varchar, true_id varchar, predicted_id varchar,"
        " has_sid boolean)"
    )
    con.executemany(
        "insert into evaluated values (?, ?, ?, ?)",
        [(r, truth[r], predicted[r], sids[r]) for r in truth],
    )
    counts = {}
    for name, key in (("true", "true_id"), ("predicted", "predicted_id")):
        rows = con.execute(
            f"""
            select
                case left_record.has_sid::int + right_record.has_sid::int
                    when 2 then 'both' when 1 then 'one' else 'neither'
                end as sid_class,
                count(*),
                count(*) filter (where left_record.true_id = right_record.true_id
                    and left_record.predicted_id = right_record.predicted_id)
            from evaluated as left_record
            inner join evaluated as right_record
                on left_record.{key} = right_record.{key}
                and left_record.record_id < right_record.record_id
            group by all
            """
        ).fetchall()
        counts[name] = {row[0]: (row[1], row[2]) for row in rows}
    persons = con.execute("select count(distinct predicted_id) from evaluated").fetchone()[0]
    con.close()
    result = {"predicted_persons": persons, "true_persons": len(set(truth.values()))}
    for sid_class in (*SID_CLASSES, "overall"):
        classes = SID_CLASSES if sid_class == "overall" else (sid_class,)
        true_count = sum(counts["true"].get(c, (0, 0))[0] for c in classes)
        predicted_count = sum(counts["predicted"].get(c, (0, 0))[0] for c in classes)
        correct = sum(counts["true"].get(c, (0, 0))[1] for c in classes)
        result[sid_class] = scores(correct, predicted_count, true_count)
    return result


def scores(correct: int, predicted: int, true: int) -> dict:
    precision = correct / predicted if predicted else None
    recall = correct / true if true else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {
        "true_pairs": true,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "precision": None if precision is None else round(precision, 5),
        "recall": None if recall is None else round(recall, 5),
        "f1": None if f1 is None else round(f1, 5),
    }


def exact_agreement(rows: dict[str, dict], pairs: list[tuple[str, str]]) -> float:
    """Share of true pairs agreeing exactly on first name, last name and birth date."""

    def key(record: dict) -> tuple[str, str, str] | None:
        parts = (
            clean_name(record["first_name"]),
            clean_name(record["last_name"]),
            record["date_of_birth"],
        )
        return parts if all(parts) else None

    agreeing = sum(1 for a, b in pairs if key(rows[a]) is not None and key(rows[a]) == key(rows[b]))
    return round(agreeing / len(pairs), 5) if pairs else None


def blocking_recall(blocked: set[tuple[str, str]], truth: dict[str, str], pairs) -> dict:
    """Direct: true pairs among candidate pairs; reachable: connected by true candidate pairs."""
    direct = sum(1 for pair in pairs if pair in blocked)
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])
            node = parent[node]
        return node

    for a, b in blocked:
        if truth.get(a) == truth.get(b):
            parent[find(a)] = find(b)
    reachable = sum(1 for a, b in pairs if find(a) == find(b))
    return {
        "candidate_pairs": len(blocked),
        "direct": round(direct / len(pairs), 5) if pairs else None,
        "reachable": round(reachable / len(pairs), 5) if pairs else None,
    }


# --- cts link ------------------------------------------------------------------------------


def run_cts_link(name: str, rows: list[dict], work: Path) -> dict:
    """`cts link` on the rows; its persons, candidate pairs and pair scores."""
    input_csv = work / f"{name}_input.csv"
    output_csv = work / f"{name}_links.csv"
    keep = work / f"{name}_cts"
    linkage_data.write_link_input(rows, input_csv)
    cts = Path(sys.executable).with_name("cts")
    started = time.perf_counter()
    subprocess.run(
        [
            str(cts),
            "link",
            "--input",
            str(input_csv),
            "--output",
            str(output_csv),
            "--keep",
            str(keep),
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(keep / "warehouse.duckdb"), read_only=True)
    con.execute("set enable_progress_bar = false")
    predicted = dict(
        con.execute(
            "select link_input.record_id, persons.person_id from main.link_input"
            " inner join intermediate.int_identity_persons_resolved as persons"
            " on link_input.agency_code = persons.agency_code"
            " and link_input.agency_person_id = persons.agency_person_id"
        ).fetchall()
    )
    record_of_key = dict(
        con.execute(
            "select agency_code || ':' || agency_person_id, record_id from main.link_input"
        ).fetchall()
    )
    scored = [
        (record_of_key[left], record_of_key[right], probability, conflicting)
        for left, right, probability, conflicting in con.execute(
            "select left_record_key, right_record_key, match_probability, is_conflicting"
            " from intermediate.int_identity_pairs_scored"
        ).fetchall()
    ]
    # What the pattern recalibration needs: each pair's weight before it, its SID weight and
    # level, the rule that blocked it first and its pattern of the other levels.
    patterned = [
        (record_of_key[row[0]], record_of_key[row[1]], *row[2:])
        for row in con.execute(
            "select left_record_key, right_record_key, model_match_weight, sid_weight,"
            " is_conflicting, sid_level, first_blocking_rule, first_name_level,"
            " last_name_level, middle_name_level, birth_date_level, sex_level, race_level"
            " from intermediate.int_identity_pairs_scored"
        ).fetchall()
    ]
    threshold = con.execute(
        "select max(link_threshold) from intermediate.int_identity_pairs_scored"
    ).fetchone()[0]
    con.close()
    return {
        "predicted": predicted,
        "scored": scored,
        "patterned": patterned,
        "threshold": threshold,
        "seconds": round(seconds, 1),
    }


def components(records, links) -> dict[str, str]:
    parent = {record: record for record in records}

    def find(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in links:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return {record: find(record) for record in records}


def cross_validate_threshold(scored, truth: dict[str, str], fixed: float) -> dict:
    """The link threshold chosen on half the people and scored on the other half.

    A half is every record whose true entity hashes into it; links are the non-conflicting
    candidate pairs at or above the threshold inside the half, clustered as connected
    components (the model's conflict split is left out here, for both thresholds alike). The
    threshold the model chose from the data alone is scored on the same halves.
    """

    def half_of(entity: str) -> int:
        return hashlib.sha256(entity.encode()).digest()[0] % 2

    halves = [{r for r, e in truth.items() if half_of(e) == h} for h in (0, 1)]
    no_sids = dict.fromkeys(truth, False)

    def f1_at(half: set[str], threshold: float) -> float:
        links = [
            (a, b)
            for a, b, probability, conflicting in scored
            if a in half and b in half and probability >= threshold and not conflicting
        ]
        clusters = components(sorted(half), links)
        sub_truth = {r: truth[r] for r in half}
        return pairwise(clusters, sub_truth, {r: no_sids[r] for r in half})["overall"]["f1"] or 0

    result = {"threshold_from_data": fixed}
    result["folds"] = two_folds(
        halves,
        THRESHOLD_GRID,
        f1_at,
        fixed,
        ("chosen_threshold", "f1_held_out_from_data"),
        tie=lambda t: t,
    )
    return result


def two_folds(halves, grid, f1_at, used, names: tuple[str, str], tie) -> list[dict]:
    """Choose a value of `grid` on one half of the people, score it on the other, both ways;
    beside it, the held-out F1 of the value in `used`. `names`: the keys of the chosen value
    and of that F1; `tie` orders values of equal F1."""
    folds = []
    for choose, score in ((0, 1), (1, 0)):
        on_choice = {value: f1_at(halves[choose], value) for value in grid}
        chosen = max(grid, key=lambda value: (on_choice[value], tie(value)))
        folds.append(
            {
                "chosen_on_half": choose,
                names[0]: chosen,
                "f1_on_choice_half": on_choice[chosen],
                "f1_held_out_chosen": f1_at(halves[score], chosen),
                names[1]: f1_at(halves[score], used),
            }
        )
    return folds


CALIBRATION_PRIOR_PAIRS = 1
CALIBRATION_GRID = (0.5, 1, 2, 5, 10, 20)


def _probability(weight: float) -> float:
    return 1 / (1 + 2 ** -max(-60.0, min(60.0, weight)))


def _log_odds(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log2(probability / (1 - probability))


def cross_validate_calibration(patterned, truth: dict[str, str], threshold: float) -> dict:
    """`identity_calibration_prior_pairs` chosen on half the people, scored on the other half.

    The pattern recalibration of int_identity_pairs_scored, redone here for each value of the
    grid from the pairs' weights before it (the same SID-labelled pairs, the same formula);
    links at the model's threshold, clustered as connected components inside the half (the
    conflict split left out, for every value alike). The value the project uses is scored on
    the same halves.
    """
    labels: dict[tuple, list[float]] = {}
    for _, _, weight, sid_weight, _, sid_level, rule, *pattern in patterned:
        if sid_level in ("same", "one_edit", "different") and rule != "valid_sid":
            counts = labels.setdefault(tuple(pattern), [0, 0, 0.0])
            counts[0 if sid_level != "different" else 1] += 1
            counts[2] += _probability(weight - sid_weight)

    def shifts(prior_pairs: float) -> dict[tuple, float]:
        result = {}
        for pattern, (same, different, probability_sum) in labels.items():
            mean = probability_sum / (same + different)
            rate = (same + prior_pairs * mean) / (same + different + prior_pairs)
            result[pattern] = _log_odds(rate) - _log_odds(mean)
        return result

    def half_of(entity: str) -> int:
        return hashlib.sha256(entity.encode()).digest()[0] % 2

    halves = [{r for r, e in truth.items() if half_of(e) == h} for h in (0, 1)]

    def f1_at(half: set[str], prior_pairs: float) -> float:
        shift = shifts(prior_pairs)
        links = [
            (a, b)
            for a, b, weight, _, conflicting, sid_level, _, *pattern in patterned
            if a in half
            and b in half
            and not conflicting
            and _probability(weight + (shift.get(tuple(pattern), 0) * (sid_level == "missing")))
            >= threshold
        ]
        clusters = components(sorted(half), links)
        sub_truth = {r: truth[r] for r in half}
        no_sids = dict.fromkeys(half, False)
        return pairwise(clusters, sub_truth, no_sids)["overall"]["f1"] or 0

    result = {"prior_pairs_used": CALIBRATION_PRIOR_PAIRS, "labelled_patterns": len(labels)}
    if not labels:
        return result
    result["folds"] = two_folds(
        halves,
        CALIBRATION_GRID,
        f1_at,
        CALIBRATION_PRIOR_PAIRS,
        ("chosen_prior_pairs", "f1_held_out_used"),
        tie=lambda k: -k,
    )
    return result


# --- Splink ----------------------------------------------------------------------------------


def run_splink(rows: list[dict]) -> dict:
    """Splink 4 on DuckDB, same fields, no labels: clusters at probability 0.5."""
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = pd.DataFrame(
        [
            {
                "record_id": row["record_id"],
                "first_name": clean_name(row["first_name"]) or None,
                "last_name": clean_name(row["last_name"]) or None,
                "middle_initial": clean_name(row["middle_name"])[:1] or None,
                "date_of_birth": row["date_of_birth"] or None,
                "sex": row["sex"] or None,
                "race": row["race"] or None,
                "sid": row["sid"] or None,
            }
            for row in rows
        ]
    )
    present = {column for column in frame.columns if frame[column].notna().any()}
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
    ]
    for column in ("middle_initial", "sex", "race"):
        if column in present:
            comparisons.append(cl.ExactMatch(column))
    if "sid" in present:
        comparisons.append(cl.ExactMatch("sid").configure(term_frequency_adjustments=True))
    blocking = [
        block_on("first_name", "last_name"),
        block_on("date_of_birth"),
        block_on("last_name", "substr(date_of_birth, 1, 4)"),
        block_on("first_name", "substr(date_of_birth, 1, 7)"),
    ]
    if "sid" in present:
        blocking.append(block_on("sid"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    started = time.perf_counter()
    linker = Linker(frame, settings, DuckDBAPI())
    # The prior from deterministic rules and a recall guessed once, before any benchmark ran
    # (Splink's documented way; no labels): two of first name, last name and birth date agree.
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "date_of_birth"),
            block_on("last_name", "date_of_birth"),
            block_on("first_name", "last_name", "substr(date_of_birth, 1, 4)"),
        ],
        recall=SPLINK_PRIOR_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    predictions = linker.inference.predict()
    table = predictions.as_pandas_dataframe()
    blocked = {
        (min(a, b), max(a, b))
        for a, b in zip(table["record_id_l"], table["record_id_r"], strict=True)
    }
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, SPLINK_THRESHOLD
    ).as_pandas_dataframe()
    predicted = dict(zip(clusters["record_id"], clusters["cluster_id"].astype(str), strict=True))
    return {
        "predicted": predicted,
        "blocked": blocked,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- driver ----------------------------------------------------------------------------------


def benchmark(name: str, rows: list[dict], truth: dict[str, str], work: Path, splink: bool):
    by_id = {row["record_id"]: row for row in rows}
    sids = {record: has_sid(by_id[record]["sid"]) for record in truth}
    pairs = true_pairs(truth)
    report = {
        "benchmark": name,
        "records": len(rows),
        "true_persons": len(set(truth.values())),
        "true_pairs": len(pairs),
        "records_with_sid_share": round(sum(sids.values()) / len(sids), 4),
        "exact_name_birth_date_agreement_share": exact_agreement(by_id, pairs),
    }
    cts = run_cts_link(name, rows, work)
    blocked = {(min(a, b), max(a, b)) for a, b, _, _ in cts["scored"]}
    report["cts_link"] = {
        "seconds": cts["seconds"],
        "pairwise": pairwise(cts["predicted"], truth, sids),
        "blocking_recall": blocking_recall(blocked, truth, pairs),
        "link_threshold_from_data": cts["threshold"],
        "threshold_cross_validation": cross_validate_threshold(
            cts["scored"], truth, cts["threshold"]
        ),
        "calibration_cross_validation": cross_validate_calibration(
            cts["patterned"], truth, cts["threshold"]
        ),
    }
    if splink:
        result = run_splink(rows)
        report["splink"] = {
            "seconds": result["seconds"],
            "threshold": SPLINK_THRESHOLD,
            "pairwise": pairwise(result["predicted"], truth, sids),
            "blocking_recall": blocking_recall(result["blocked"], truth, pairs),
        }
    return report


def table(reports: list[dict]) -> str:
    lines = [
        "| benchmark | records | true pairs | exact name+DOB agreement | resolver | precision"
        " | recall | F1 | recall, one SID | blocking recall (direct / reachable) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for report in reports:
        for resolver in ("cts_link", "splink"):
            if resolver not in report:
                continue
            figures = report[resolver]["pairwise"]
            overall, one = figures["overall"], figures["one"]
            block = report[resolver]["blocking_recall"]
            lines.append(
                f"| {report['benchmark']} | {report['records']:,} | {report['true_pairs']:,}"
                f" | {report['exact_name_birth_date_agreement_share']:.3f}"
                f" | {resolver.replace('_', ' ')} | {overall['precision']:.4f}"
                f" | {overall['recall']:.4f} | {overall['f1']:.4f}"
                f" | {'' if one['recall'] is None else format(one['recall'], '.4f')}"
                f" | {block['direct']:.4f} / {block['reachable']:.4f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=("rldata10000", "pseudopeople", "generator")
    )
    parser.add_argument("--no-splink", action="store_true", help="run cts link only")
    parser.add_argument("--sid-share", type=float, default=0.8, help="pseudopeople SID share")
    parser.add_argument("--scale", default="demo", help="generator scale")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed")
    parser.add_argument("--work", type=Path, default=ROOT / "work" / "bench-linkage")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    loaders = {
        "rldata10000": linkage_data.rldata10000,
        "pseudopeople": lambda: linkage_data.pseudopeople(args.sid_share),
        f"generator_{args.scale}": lambda: linkage_data.generator(
            args.scale, args.seed, args.work / f"generator_{args.scale}_{args.seed}"
        ),
    }
    reports = []
    for name, load in loaders.items():
        if args.only and name.split("_")[0] not in args.only and name not in args.only:
            continue
        rows, truth = load()
        report = benchmark(name, rows, truth, args.work, not args.no_splink)
        if name.startswith("generator"):
            report.update(scale=args.scale, seed=args.seed)
        if name == "pseudopeople":
            report["sid_share"] = args.sid_share
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"linkage_{name}.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )
        reports.append(report)
        print(table([report]), flush=True)
    every = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(args.out.glob("linkage_*.json"))
    ]
    if every:
        (args.out / "linkage.md").write_text(table(every), encoding="utf-8")
        print(table(every))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
