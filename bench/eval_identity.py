"""Accuracy of the identity linkage against the generator's truth.

Reads a warehouse built by `cts run` (or by `cts build` after changing the identity models)
and the truth the generator wrote beside the submissions (`<data>/truth/records.csv`: each
agency person record's true person). Reports, for the probabilistic model (`int_persons_linked`)
and for the baseline it replaced (valid SID, else an exact normalized name + birth date match),
computed here on the same records in the same run:

- pairwise precision, recall and F1 over pairs of records (same predicted person vs same true
  person), overall and by SID availability of the pair: both records carry a well-formed,
  non-zero SID, one does, neither does;
- cluster figures: share of true persons whose records are all in one predicted person and
  alone there, predicted vs true person counts;
- the model's candidate-pair count, link and conflict-split counts.
Nothing in the pipeline reads the truth; only this script does.

    python bench/eval_identity.py --workdir /tmp/id_demo --out bench/results/identity_demo.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

# The rule int_persons_linked applied before the probabilistic model, kept here as the baseline.
BASELINE_SQL = """
with keyed as (
    select
        *,
        case when last_name is not null and first_name is not null and birth_date is not null
            then md5(upper(last_name) || '|' || upper(first_name) || '|'
                || cast(birth_date as varchar))
        end as name_birth_key
    from intermediate.int_persons_unioned
),
sid_identities as (
    select sid, count(distinct name_birth_key) as identities_on_sid
    from keyed where sid is not null group by sid
),
checked as (
    select
        keyed.*,
        case
            when keyed.sid is null then 'MISSING'
            when not regexp_full_match(keyed.sid, 'MA[0-9]{9}') then 'MALFORMED'
            when regexp_full_match(keyed.sid, 'MA0+') then 'PLACEHOLDER'
            when sid_identities.identities_on_sid >= 3 then 'PLACEHOLDER'
            else 'VALID'
        end as sid_status
    from keyed left join sid_identities on keyed.sid = sid_identities.sid
),
sid_by_name_birth as (
    select name_birth_key, min(sid) as linked_sid
    from checked where sid_status = 'VALID' and name_birth_key is not null
    group by name_birth_key
)
select
    checked.agency_code,
    checked.agency_person_id,
    coalesce(
        case when checked.sid_status = 'VALID' then checked.sid end,
        sid_by_name_birth.linked_sid,
        checked.name_birth_key,
        checked.agency_code || ':' || checked.agency_person_id
    ) as person_id
from checked
left join sid_by_name_birth on checked.name_birth_key = sid_by_name_birth.name_birth_key
"""

SID_CLASSES = ("both", "one", "neither")


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 5) if denominator else None


def _pairwise(con: duckdb.DuckDBPyConnection, method: str) -> dict:
    """Pairwise precision/recall/F1 of predicted persons `method` against the truth."""
    counts = {}
    for name, key in (("true", "true_person_id"), ("predicted", f"{method}_person_id")):
        rows = con.execute(
            f"""
            select
                case left_record.has_sid::int + right_record.has_sid::int
                    when 2 then 'both' when 1 then 'one' else 'neither'
                end as sid_class,
                count(*) as pairs,
                count(*) filter (
                    where left_record.true_person_id = right_record.true_person_id
                    and left_record.{method}_person_id = right_record.{method}_person_id
                ) as agreeing_pairs
            from evaluated as left_record
            inner join evaluated as right_record
                on left_record.{key} = right_record.{key}
                and left_record.record_key < right_record.record_key
            group by all
            """
        ).fetchall()
        counts[name] = {sid_class: (pairs, agreeing) for sid_class, pairs, agreeing in rows}
    result = {}
    for sid_class in (*SID_CLASSES, "overall"):
        classes = SID_CLASSES if sid_class == "overall" else (sid_class,)
        true_pairs = sum(counts["true"].get(c, (0, 0))[0] for c in classes)
        predicted_pairs = sum(counts["predicted"].get(c, (0, 0))[0] for c in classes)
        correct = sum(counts["true"].get(c, (0, 0))[1] for c in classes)
        precision = _ratio(correct, predicted_pairs)
        recall = _ratio(correct, true_pairs)
        f1 = (
            round(2 * precision * recall / (precision + recall), 5)
            if precision and recall
            else None
        )
        result[sid_class] = {
            "true_pairs": true_pairs,
            "predicted_pairs": predicted_pairs,
            "correct_pairs": correct,
            "false_positive_pairs": predicted_pairs - correct,
            "missed_pairs": true_pairs - correct,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return result


def _clusters(con: duckdb.DuckDBPyConnection, method: str) -> dict:
    row = con.execute(
        f"""
        with per_true as (
            select
                true_person_id,
                count(*) as records,
                count(distinct {method}_person_id) as predicted_persons,
                min({method}_person_id) as some_predicted
            from evaluated group by true_person_id
        ),
        per_predicted as (
            select {method}_person_id, count(distinct true_person_id) as true_persons
            from evaluated group by {method}_person_id
        )
        select
            count(*) as true_persons,
            count(*) filter (where per_true.predicted_persons = 1
                and per_predicted.true_persons = 1) as exact_persons,
            count(*) filter (where per_true.records > 1) as multi_record_persons,
            count(*) filter (where per_true.records > 1 and per_true.predicted_persons = 1
                and per_predicted.true_persons = 1) as exact_multi_record_persons,
            (select count(distinct {method}_person_id) from evaluated) as predicted_persons,
            count(*) filter (where per_true.predicted_persons > 1) as split_persons,
            (select count(*) from per_predicted where true_persons > 1) as merged_clusters
        from per_true
        left join per_predicted on per_true.some_predicted = per_predicted.{method}_person_id
        """
    ).fetchone()
    (true_p, exact, multi, exact_multi, predicted, split, merged) = row
    return {
        "true_persons": true_p,
        "predicted_persons": predicted,
        "persons_exactly_clustered_share": _ratio(exact, true_p),
        "multi_record_persons": multi,
        "multi_record_persons_exactly_clustered_share": _ratio(exact_multi, multi),
        "persons_split_over_clusters": split,
        "clusters_merging_persons": merged,
    }


def evaluate(workdir: Path, truth_dir: Path) -> dict:
    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    con.execute("set enable_progress_bar = false")
    records_csv = truth_dir / "records.csv"
    if not records_csv.is_file():
        raise SystemExit(f"eval_identity: no truth at {records_csv}")
    con.execute(
        f"""
        create temp table truth_records as
        select distinct agency_code, agency_person_id, person_id
        from read_csv('{records_csv}', all_varchar = true)
        """
    )
    con.execute(f"create temp table baseline as {BASELINE_SQL}")
    con.execute(
        """
        create temp table evaluated as
        select
            linked.agency_code || ':' || linked.agency_person_id as record_key,
            truth_records.person_id as true_person_id,
            linked.person_id as model_person_id,
            baseline.person_id as baseline_person_id,
            coalesce(
                regexp_full_match(linked.sid, 'MA[0-9]{9}') and linked.sid != 'MA000000000',
                false
            ) as has_sid
        from intermediate.int_persons_linked as linked
        inner join truth_records
            on linked.agency_code = truth_records.agency_code
            and linked.agency_person_id = truth_records.agency_person_id
        inner join baseline
            on linked.agency_code = baseline.agency_code
            and linked.agency_person_id = baseline.agency_person_id
        """
    )
    records, unmatched = con.execute(
        """
        select
            (select count(*) from evaluated),
            (select count(*) from intermediate.int_persons_linked)
                - (select count(*) from evaluated)
        """
    ).fetchone()
    model = {
        "pairwise": _pairwise(con, "model"),
        "clusters": _clusters(con, "model"),
    }
    baseline = {
        "pairwise": _pairwise(con, "baseline"),
        "clusters": _clusters(con, "baseline"),
    }
    linkage = dict(
        zip(
            ("candidate_pairs", "links", "strong_links", "conflicting_pairs"),
            con.execute(
                """
                select count(*), count(*) filter (where is_link),
                    count(*) filter (where is_strong_link), count(*) filter (where is_conflicting)
                from intermediate.int_identity_pairs_scored
                """
            ).fetchone(),
            strict=True,
        )
    )
    linkage["records_by_resolution"] = dict(
        con.execute(
            "select cluster_resolution, count(*) from intermediate.int_identity_persons_resolved"
            " group by all order by all"
        ).fetchall()
    )
    linkage["records_by_link_method"] = dict(
        con.execute(
            "select link_method, count(*) from intermediate.int_persons_linked"
            " group by all order by all"
        ).fetchall()
    )
    weights = con.execute(
        """
        select model_version, comparison_name, comparison_level, m_probability, u_probability,
            match_weight
        from intermediate.int_identity_match_weights_estimated
        order by comparison_name, level_order
        """
    ).fetchall()
    generation = workdir / "generation.json"
    meta = json.loads(generation.read_text()) if generation.is_file() else {}
    return {
        "scale": meta.get("scale"),
        "seed": meta.get("seed"),
        "model_version": weights[0][0] if weights else None,
        "records_evaluated": records,
        "records_without_truth": unmatched,
        "sid_classes": "both / one / neither record of the pair has a well-formed non-zero SID",
        "model": model,
        "baseline": baseline,
        "linkage": linkage,
        "match_weights": [
            {
                "comparison": comparison,
                "level": level,
                "m": round(m, 6),
                "u": round(u, 9) if u is not None else None,
                "weight": round(weight, 3),
            }
            for _, comparison, level, m, u, weight in weights
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/id_demo"))
    parser.add_argument("--truth", type=Path, default=None, help="default <workdir>/data/truth")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    args = parser.parse_args(argv)
    report = evaluate(args.workdir, args.truth or args.workdir / "data" / "truth")
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    summary = {
        name: {
            sid_class: (figures["precision"], figures["recall"], figures["f1"])
            for sid_class, figures in report[name]["pairwise"].items()
        }
        for name in ("model", "baseline")
    }
    print(json.dumps(summary, indent=1), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
