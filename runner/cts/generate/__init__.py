"""Synthetic agency submissions for the CTS program pipeline, with ground truth.

    from cts.generate import generate, SCALES
    summary = generate("tiny", 7, Path("work/data"))

writes `out/submissions/<AGENCY>/<YYYY-MM>/r<N>/...` in the layouts of docs/layouts.md and the
ground truth under `out/truth/` (see docs/synthetic_world.md). Same scale and seed give
byte-identical files.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cts.progress import SILENT, Progress

from . import truth
from .agency import Config, run_agency
from .defects import DEFAULT_DEFECT_RATES, OPPORTUNITY
from .reference import AGENCIES, AGENCY_CODES
from .world import World, build_world

GENERATOR_VERSION = "1.1.0"


@dataclass(frozen=True)
class Scale:
    population: float  # share of the real admission volume simulated
    catalog: float  # share of each agency's real program catalog size


SCALES: dict[str, Scale] = {
    "tiny": Scale(population=0.0038, catalog=0.1),
    "demo": Scale(population=0.10, catalog=1.0),
    "full": Scale(population=1.0, catalog=1.0),
}

_WORLD: World | None = None  # shared with forked workers
_CONFIG: Config | None = None
_OUT: Path | None = None


def _work(code: str) -> dict:
    assert _WORLD is not None and _CONFIG is not None and _OUT is not None
    return run_agency(code, _WORLD, _CONFIG, _OUT)


def generate(
    scale: str,
    seed: int,
    out: Path,
    defect_rates: dict[str, float] | None = None,
    progress: Progress | None = None,
    processes: int = 2,
) -> dict:
    """Generate every agency's monthly submissions and the truth into `out`."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    rates = _defect_rates(defect_rates)
    spec = SCALES[scale]
    out = Path(out)
    for sub in ("submissions", "truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "truth").mkdir(parents=True)
    notify = progress or SILENT.progress
    notify("Simulating the world", 0, 1)
    world_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    world = build_world(spec.population, world_rng)
    shared = f"MA{int(world_rng.integers(100_000_000, 999_999_999)):09d}"
    config = Config(
        seed=seed, scale=scale, catalog_factor=spec.catalog, rates=rates, shared_sid=shared
    )
    notify("Simulating the world", 1, 1)

    parallel = processes > 1 and spec.population >= 0.05  # forking costs more at tiny
    results = _run_agencies(world, config, out, processes if parallel else 1, notify)
    truth_dir = out / "truth"
    truth.write_persons(truth_dir, world.persons)
    truth_rows = truth.merge_parts(truth_dir)
    truth_rows["persons"] = len(world.persons)
    truth.write_config(
        truth_dir,
        {
            "scale": scale,
            "seed": seed,
            "generator_version": GENERATOR_VERSION,
            "population_factor": spec.population,
            "catalog_factor": spec.catalog,
            "defect_rates": rates,
            "defect_opportunities": OPPORTUNITY,
            "shared_sid": shared,
        },
    )
    return _summary(scale, seed, results, truth_rows)


def _defect_rates(overrides: dict[str, float] | None) -> dict[str, float]:
    """The default defect rates with `overrides`, each a known defect and a share 0..1."""
    rates = dict(DEFAULT_DEFECT_RATES)
    for key, value in (overrides or {}).items():
        if key not in rates:
            raise ValueError(f"unknown defect {key!r}: known defects are {', '.join(rates)}")
        if not 0.0 <= float(value) <= 1.0:
            raise ValueError(f"defect rate {key}={value} is not between 0 and 1")
        rates[key] = float(value)
    return rates


def _run_agencies(
    world: World, config: Config, out: Path, processes: int, notify: Progress
) -> dict[str, dict]:
    """Every agency's submissions and summary, in forked workers when `processes` > 1."""
    global _WORLD, _CONFIG, _OUT
    # Largest agencies first so that two workers finish at about the same time.
    order = sorted(AGENCY_CODES, key=lambda c: -_weight(c))
    results: dict[str, dict] = {}
    _WORLD, _CONFIG, _OUT = world, config, out
    try:
        if processes > 1 and "fork" in mp.get_all_start_methods():
            with mp.get_context("fork").Pool(processes) as pool:
                for done, result in enumerate(pool.imap_unordered(_work, order), start=1):
                    results[result["agency"]] = result
                    notify("Writing agency submissions", done, len(order))
        else:
            for done, code in enumerate(order, start=1):
                results[code] = _work(code)
                notify("Writing agency submissions", done, len(order))
    finally:
        _WORLD = _CONFIG = _OUT = None
    return results


def _weight(code: str) -> float:
    agency = next(a for a in AGENCIES if a.code == code)
    factor = {"attend": 2.5, "doc": 4.0, "events": 1.3, "enroll": 1.0}[agency.layout]
    return agency.admissions * factor


def _summary(scale: str, seed: int, results: dict[str, dict], truth_rows: dict) -> dict:
    by_agency = {code: results[code] for code in AGENCY_CODES}
    rows_by_kind: dict[str, int] = {}
    opportunities: dict[str, int] = {}
    defects: dict[str, int] = {}
    for result in by_agency.values():
        prefix = "doc" if result["layout"] == "doc" else result["layout"]
        for role, count in result["rows"].items():
            key = f"{prefix}.{role}"
            rows_by_kind[key] = rows_by_kind.get(key, 0) + count
        for key, value in result["opportunities"].items():
            opportunities[key] = opportunities.get(key, 0) + value
        for key, value in result["defects"].items():
            defects[key] = defects.get(key, 0) + value
    return {
        "scale": scale,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "total_rows": sum(r["rows_total"] for r in by_agency.values()),
        "submissions": sum(r["submissions"] for r in by_agency.values()),
        "rows_per_agency": {c: r["rows_total"] for c, r in by_agency.items()},
        "rows_per_file_kind": dict(sorted(rows_by_kind.items())),
        "agencies": by_agency,
        "defect_counts": dict(sorted(defects.items())),
        "defect_opportunities": dict(sorted(opportunities.items())),
        "truth_rows": truth_rows,
        "persons": truth_rows["persons"],
        "program_names": sum(r["program_names"] for r in by_agency.values()),
    }


__all__ = ["DEFAULT_DEFECT_RATES", "GENERATOR_VERSION", "SCALES", "Scale", "generate"]
