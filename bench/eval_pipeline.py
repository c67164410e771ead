"""Accuracy of the dbt pipeline against the generator's truth.

Reads a warehouse built by `cts run` and the truth files the generator wrote beside the
submissions (`<data>/truth/`), and reports:
- enrollment spells: published spell count vs the truth's enrollments;
- program mapping: share of truth enrollments whose spell maps to the right canonical program;
- outcomes: share with the right outcome group (SUCCESSFUL/UNSUCCESSFUL/ADMINISTRATIVE/
  UNKNOWN/ACTIVE);
- per-agency program-catalog mapping accuracy.
Nothing in the pipeline reads the truth; only this script does.

    python bench/eval_pipeline.py --workdir work --out bench/results/pipeline_accuracy_demo.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb


def evaluate(workdir: Path) -> dict:
    truth = workdir / "data" / "truth"
    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    con.execute("set enable_progress_bar = false")
    con.execute(
        f"""
        create temp table truth_enrollments as
        select * from read_csv('{truth / "enrollments.csv"}', all_varchar = true)
        """
    )
    con.execute(
        f"""
        create temp table truth_programs as
        select distinct agency_code, program_code, canonical_program_code
        from read_csv('{truth / "programs.csv"}', all_varchar = true)
        """
    )
    con.execute(
        """
        create temp table matched as
        select
            t.agency_code,
            t.canonical_program_code as truth_program,
            t.outcome_group as truth_outcome,
            s.canonical_program_code as our_program,
            s.outcome_group as our_outcome,
            s.spell_id is not null as found
        from truth_enrollments as t
        left join intermediate.int_program_spells_enriched as s
            on s.agency_code = t.agency_code
            and s.agency_person_id = t.agency_person_id
            and s.agency_program_code = t.program_code
            and s.start_date = cast(t.start_date as date)
        """
    )
    total_truth = con.execute("select count(*) from truth_enrollments").fetchone()[0]
    published = con.execute(
        "select count(*) from intermediate.int_program_spells_enriched"
    ).fetchone()[0]
    found, right_program, right_outcome = con.execute(
        """
        select
            count(*) filter (where found),
            count(*) filter (where found and truth_program = our_program),
            count(*) filter (where found and truth_outcome = our_outcome)
        from matched
        """
    ).fetchone()
    per_agency = con.execute(
        """
        select
            agency_code,
            count(*) as truth_enrollments,
            count(*) filter (where found) as found,
            round(avg(case when found then (truth_program = our_program)::int end), 4)
                as program_accuracy,
            round(avg(case when found then (truth_outcome = our_outcome)::int end), 4)
                as outcome_accuracy
        from matched
        group by agency_code
        order by agency_code
        """
    ).fetchall()
    catalog = con.execute(
        """
        select
            count(*),
            count(*) filter (where m.canonical_program_code = t.canonical_program_code),
            count(*) filter (where m.canonical_program_code is null)
        from truth_programs as t
        inner join intermediate.int_programs_mapped as m
            on m.agency_code = t.agency_code and m.agency_program_code = t.program_code
        """
    ).fetchone()
    outcome_confusion = con.execute(
        """
        select truth_outcome, our_outcome, count(*)
        from matched
        where found and truth_outcome != our_outcome
        group by all
        order by 3 desc
        limit 15
        """
    ).fetchall()
    con.close()
    return {
        "truth_enrollments": total_truth,
        "published_spells": published,
        "spell_count_ratio": round(published / total_truth, 4),
        "truth_enrollments_found": found,
        "found_share": round(found / total_truth, 4),
        "program_accuracy": round(right_program / found, 4),
        "outcome_group_accuracy": round(right_outcome / found, 4),
        "catalog_programs": catalog[0],
        "catalog_mapping_accuracy": round(catalog[1] / catalog[0], 4),
        "catalog_unmapped": catalog[2],
        "per_agency": [
            dict(zip(["agency", "truth", "found", "program_acc", "outcome_acc"], row, strict=True))
            for row in per_agency
        ],
        "outcome_confusion_top": [list(row) for row in outcome_confusion],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("work"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = evaluate(args.workdir)
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
