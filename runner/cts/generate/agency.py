"""One agency's submissions: identities as sent, stays, catalog, program activity, defects,
late records, corrections, and its part of the truth. Runs in a worker process per agency."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import defects as dfx
from . import names as nm
from . import truth
from .catalog import Offering, build_catalog
from .dates import NA, from_ymd, month_index, month_label, ymd
from .enrollments import (
    Enrollments,
    Referrals,
    Segments,
    cadence,
    doc_segments,
    sheriff_segments,
    simulate,
)
from .layouts import (
    ATTEND_EXIT,
    DOC_EXIT_CODES,
    DOC_EXIT_DESC,
    DOC_MOVES,
    ENROLL_EXIT_TEXT,
    EVENT_CODES,
    EVENT_EXIT,
    EVENT_TYPES,
    KEEPS_ACCENTS,
    UPPER_NAMES,
    Layout,
    agency_layout,
)
from .reference import (
    AGENCIES,
    AGENCY_CODES,
    AGENCY_INDEX,
    DOC_V2_MONTH,
    EXIT_INDEX,
    EXIT_REASONS,
    FIRST_MONTH,
    N_MONTHS,
    RACES,
    REL,
    STATE_AGENCY,
    WINDOW_END,
    canonical_programs,
    facility_codes,
)
from .tables import Revision, Table, code_col, d_col, int_col, s_col, write_agency
from .world import OPEN, Stays, World

# Identifier formats from each agency's sources YAML (meta.generate.ids): (person id, first
# number, stay id, first number, enrollment id).
ID_FORMATS = {
    a.code: (
        a.ids.get("person", {}).get("format", ""),
        int(a.ids.get("person", {}).get("start", 0)),
        a.ids.get("stay", {}).get("format", ""),
        int(a.ids.get("stay", {}).get("start", 0)),
        a.ids.get("enrollment", {}).get("format", ""),
    )
    for a in AGENCIES
}


@dataclass
class Config:
    seed: int
    scale: str
    catalog_factor: float
    rates: dict[str, float]
    shared_sid: str


def _ids(fmt: str, start: int, n: int, rng) -> np.ndarray:
    numbers = start + np.cumsum(rng.integers(1, 4, n))
    return np.array([fmt.format(v) for v in numbers.tolist()], dtype=object)


def _pick(options: tuple[str, ...], rng, n: int) -> np.ndarray:
    arr = np.array(options, dtype=object)
    return arr[rng.integers(0, len(arr), n)]


def _vary_case(text: np.ndarray, rng) -> np.ndarray:
    """Free text typed by hand: mostly as is, some upper/lower case or stray spaces."""
    u = rng.random(len(text))
    out = text.copy()
    for i in np.flatnonzero(u < 0.2).tolist():
        value = out[i]
        if not value:
            continue
        if u[i] < 0.08:
            out[i] = value.upper()
        elif u[i] < 0.14:
            out[i] = value.lower()
        else:
            out[i] = " " + value + ("  " if u[i] < 0.17 else " ")
    return out


def run_agency(code: str, world: World, cfg: Config, out: Path) -> dict:
    """Simulate one agency's custody and programs, write its monthly submissions and its part
    of the truth into `out`, and return its summary. The agency's draws come from its own
    random streams (seed and agency index): agencies can run in any order or in parallel."""
    ai = AGENCY_INDEX[code]
    rng = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(2, ai)))
    log = dfx.DefectLog(
        code, cfg.rates, np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(3, ai)))
    )
    kind = AGENCIES[ai].layout
    custody = _custody(code, world, cfg, rng)
    _remap_exits(custody.enr, kind)
    stays, persons, enr = custody.stays, world.persons, custody.enr
    records = _person_records(code, stays, custody.sex, rng)
    century_ok = (
        records.first_month >= DOC_V2_MONTH
        if code == STATE_AGENCY
        else np.ones(len(records.person), bool)
    )
    identity = _identities(code, persons, records.person, rng, log, cfg.shared_sid, century_ok)
    people, rows = _people_rows(code, records, identity, persons, stays, rng, log)
    people, in_people = _without_orphans(people, rows, records, enr, log)
    fac_codes = np.array(facility_codes(), dtype=object)
    tables, enr_ids = _files(kind, code, people, custody, records, fac_codes, rng, log)
    revisions = _corrections(code, tables, log, rng)
    counts = write_agency(out, code, tables, _catalog_renderer(custody.offerings), revisions)
    truth.write_agency_parts(
        out / "truth" / ".parts",
        code,
        persons=persons,
        stays=stays,
        stay_ids=records.stay_ids,
        rec_ids=records.ids,
        rec_of_stay=records.of_stay,
        rec_person=records.person,
        identity=identity,
        in_people=in_people,
        offerings=custody.offerings,
        enr=enr,
        enr_ids=enr_ids if kind in ("doc", "enroll") else None,
        segments=custody.segments,
        referrals=custody.referrals,
        fac_codes=fac_codes,
        log=log,
        tables=tables,
        revisions=revisions,
    )
    summary = {"agency": code, "layout": kind, "rows": counts}
    return summary | _agency_summary(
        counts, revisions, in_people, stays, enr, custody.offerings, log
    )


@dataclass
class _Custody:
    """What the agency's people did in its custody: stays, facility segments, programs
    offered, enrollments and referrals that never started."""

    stays: Stays
    sex: np.ndarray  # of each stay's person
    offerings: list[Offering]
    segments: Segments
    enr: Enrollments
    referrals: Referrals


def _custody(code: str, world: World, cfg: Config, rng) -> _Custody:
    ai = AGENCY_INDEX[code]
    stays = world.stays.take(np.flatnonzero(world.stays.agency == ai))
    sex = world.persons.sex[stays.person]
    size = max(6, round(AGENCIES[ai].catalog_size * cfg.catalog_factor))
    offerings = build_catalog(code, size, rng)
    segments = doc_segments(stays, sex, rng) if code == STATE_AGENCY else sheriff_segments(stays)
    enr, referrals = simulate(code, stays, sex, segments, offerings, rng)
    return _Custody(stays, sex, offerings, segments, enr, referrals)


def _files(
    kind, code, people, custody: _Custody, records, fac_codes, rng, log
) -> tuple[dict[str, Table], np.ndarray]:
    """The agency's files as tables (people, stays or DOC movements, program activity), with
    late records, duplicates, sorting and field-level defects; and the enrollment ids."""
    stays, sex, segments, enr = custody.stays, custody.sex, custody.segments, custody.enr
    referrals, offerings = custody.referrals, custody.offerings
    if code == STATE_AGENCY:
        stays_role = "movements"
        stays_table = _movements_table(stays, segments, records.ids, fac_codes, rng)
    else:
        stays_role = "stays"
        stays_table = _stays_table(
            code, stays, records.stay_ids, records.ids, records.of_stay, fac_codes, sex, rng, log
        )
    off_codes = np.array([o.code for o in offerings], dtype=object)
    enr_ids = _enrollment_ids(code, enr, rng)
    tables: dict[str, Table] = {"people": people, stays_role: stays_table}
    tables.update(
        _activity_tables(
            kind, code, enr, enr_ids, referrals, records, off_codes, offerings, stays, rng, log
        )
    )
    for role in ("people", stays_role, "activity"):
        tables[role] = _late_and_duplicates(tables[role], role, log)
    for role, table in tables.items():
        log.resolve(role, table.finalize())
    _field_defects(code, tables, stays_role, set(off_codes.tolist()), log)
    return tables, enr_ids


@dataclass
class _Records:
    """The agency's person records: one per person (sheriffs) or per commitment (DOC)."""

    of_stay: np.ndarray  # the record of each stay
    person: np.ndarray  # the world's person of each record
    ids: np.ndarray  # the record's id as the agency writes it
    stay_ids: np.ndarray  # each stay's id (DOC: the commitment number)
    first_stay: np.ndarray  # the record's first stay
    first_month: np.ndarray  # the month the record is first seen


def _person_records(code: str, stays, sex, rng) -> _Records:
    if code == STATE_AGENCY:
        rec_of_stay = np.arange(len(stays))
        rec_person = stays.person.copy()
        rec_ids = _commitment_numbers(stays, sex, rng)
        stay_ids = rec_ids
    else:
        _, first_idx, inverse = np.unique(stays.person, return_index=True, return_inverse=True)
        order = np.argsort(first_idx, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        rec_of_stay = rank[inverse]
        rec_person = stays.person[first_idx[order]]
        pfmt, pstart, sfmt, sstart, _ = ID_FORMATS[code]
        rec_ids = _ids(pfmt, pstart, len(rec_person), rng)
        stay_ids = _ids(sfmt, sstart, len(stays), rng)
    rec_first_stay = np.full(len(rec_person), len(stays), dtype=np.int64)
    np.minimum.at(rec_first_stay, rec_of_stay, np.arange(len(stays)))
    first_month = np.maximum(month_index(stays.start[rec_first_stay]), 0)
    return _Records(rec_of_stay, rec_person, rec_ids, stay_ids, rec_first_stay, first_month)


def _people_rows(
    code, records: _Records, identity, persons, stays, rng, log
) -> tuple[Table, np.ndarray]:
    """The people file's rows: first sight, and (sheriffs) an update when a missing SID gets
    filled in at a later stay; also the record of each row."""
    n_rec = len(records.person)
    rows = np.arange(n_rec)
    pmonth = records.first_month.copy()
    psid = identity["sid"].copy()
    latest_sid = identity["sid"].copy()
    if code != STATE_AGENCY:
        second = _second_stay(records.of_stay, n_rec)
        true_sid = np.array(
            [f"MA{s:09d}" if s > 0 else "" for s in persons.sid[records.person].tolist()], object
        )
        upd = (identity["sid"] == "") & (true_sid != "") & (second >= 0)
        upd &= rng.random(n_rec) < 0.55
        upd_rec = np.flatnonzero(upd)
        upd_month = np.maximum(month_index(stays.start[second[upd_rec]]), 0)
        later = upd_month > records.first_month[upd_rec]
        upd_rec, upd_month = upd_rec[later], upd_month[later]
        rows = np.concatenate([rows, upd_rec])
        pmonth = np.concatenate([pmonth, upd_month])
        psid = np.concatenate([psid, true_sid[upd_rec]])
        latest_sid[upd_rec] = true_sid[upd_rec]
    identity["sid_latest"] = latest_sid
    people = _people_table(
        code, identity, records.ids, rows, pmonth, psid, stays, records.first_stay
    )
    for defect, recs, details in identity["defects"]:
        for r, detail in zip(recs, details, strict=True):
            log.before_sort(defect, "people", int(r), str(records.ids[r]), detail)
    return people, rows


def _without_orphans(people: Table, rows, records: _Records, enr, log) -> tuple[Table, np.ndarray]:
    """Orphans: some people with activity never appear in the people file. Returns the people
    table without them and, per record, whether it is in the people file."""
    n_rec = len(records.person)
    has_activity = np.zeros(n_rec, dtype=bool)
    has_activity[records.of_stay[enr.stay]] = True
    orphans = log.choose("orphan_activity", has_activity)
    in_people = np.ones(n_rec, dtype=bool)
    in_people[orphans] = False
    for r in orphans.tolist():
        log.add(
            "orphan_activity",
            "people",
            None,
            str(records.ids[r]),
            "person has activity but no row in the people file",
            month=int(records.first_month[r]),
        )
    keep_rows = in_people[rows]
    new_index = np.cumsum(keep_rows) - 1
    log.pending = [
        (e, int(new_index[row])) for e, row in log.pending if e.role != "people" or keep_rows[row]
    ]
    return people.take(np.flatnonzero(keep_rows)), in_people


def _activity_tables(
    kind, code, enr, enr_ids, referrals, records: _Records, off_codes, offerings, stays, rng, log
) -> dict[str, Table]:
    """The program activity file(s) of the agency's layout."""
    if kind in ("doc", "enroll"):
        return {
            "activity": _enroll_activity(code, enr, enr_ids, records.stay_ids, off_codes, rng, log)
        }
    if kind == "events":
        activity = _events_activity(
            code,
            enr,
            referrals,
            records.stay_ids,
            records.ids,
            records.of_stay,
            off_codes,
            stays,
            rng,
            log,
        )
        return {"activity": activity}
    activity, exits = _attend_activity(
        enr, records.ids, records.of_stay, off_codes, offerings, rng, log
    )
    return {"activity": activity, "exits": exits}


def _agency_summary(counts, revisions, in_people, stays, enr, offerings, log) -> dict:
    """What the generator reports about the agency: rows, submissions, records, programs,
    defects, exits, enrollments per month and per category."""
    programs = canonical_programs()
    started = month_index(enr.start)
    return {
        "rows_total": int(sum(counts.values())),
        "submissions": sum(len(revisions.get(m, [None])) for m in range(N_MONTHS)),
        "person_records": int(in_people.sum()),
        "stays": len(stays),
        "enrollments": len(enr),
        "programs": len(offerings),
        "program_names": len({name for o in offerings for _, name in o.versions}),
        "opportunities": dict(sorted(log.opportunities.items())),
        "defects": _defect_counts(log),
        "exits": {
            EXIT_REASONS[i]: int((enr.exit == i).sum()) for i in np.unique(enr.exit[enr.exit >= 0])
        },
        "enrollments_by_month": np.bincount(
            np.clip(started, 0, N_MONTHS - 1), minlength=N_MONTHS
        ).tolist(),
        "categories": dict(
            sorted(
                _count_strings(
                    [programs[offerings[o].canonical].category for o in enr.offering]
                ).items()
            )
        ),
    }


def _count_strings(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _defect_counts(log: dfx.DefectLog) -> dict[str, int]:
    return dict(sorted(_count_strings(e.defect for e in log.entries).items()))


def _remap_exits(enr: Enrollments, kind: str) -> None:
    other, unknown = EXIT_INDEX["OTHER_KNOWN"], EXIT_INDEX["UNKNOWN"]
    if kind == "events":
        enr.exit[np.isin(enr.exit, [other, unknown])] = EXIT_INDEX["PROGRAM_ENDED"]
    elif kind in ("attend", "doc"):
        enr.exit[enr.exit == other] = unknown


def _commitment_numbers(stays, sex, rng) -> np.ndarray:
    out = np.empty(len(stays), dtype=object)
    order = np.argsort(stays.start, kind="stable")
    men = order[sex[order] == 0]
    women = order[sex[order] == 1]
    base_m = 22000 + np.cumsum(rng.integers(1, 3, len(men)))
    base_f = 1000 + np.cumsum(rng.integers(1, 3, len(women)))
    out[men] = [f"W{v % 100000:05d}" for v in base_m.tolist()]
    out[women] = [f"F{v % 10000:04d}" for v in base_f.tolist()]
    return out


def _second_stay(rec_of_stay: np.ndarray, n_rec: int) -> np.ndarray:
    second = np.full(n_rec, -1, dtype=np.int64)
    seen = np.zeros(n_rec, dtype=np.int64)
    for i, r in enumerate(rec_of_stay.tolist()):
        seen[r] += 1
        if seen[r] == 2:
            second[r] = i
    return second


Found = list[tuple[str, list[int], list[str]]]  # (defect, records, what changed) per defect


def _identities(code, persons, rec_person, rng, log, shared_sid, century_ok) -> dict:
    """Names, birth date and SID as this agency sends them, with identity defects."""
    n = len(rec_person)
    first = persons.first[rec_person].copy()
    middle = persons.middle[rec_person].copy()
    last = persons.last[rec_person].copy()
    dob = persons.dob[rec_person].copy()
    true_sid = persons.sid[rec_person]
    sid = np.array([f"MA{s:09d}" if s > 0 else "" for s in true_sid.tolist()], dtype=object)
    sid[rng.random(n) < 0.10] = ""  # not captured at this booking
    u = rng.random(n)
    initials = np.array([m[:1] for m in middle.tolist()], dtype=object)
    middle = np.where(u < 0.3, initials, middle).astype(object)
    middle[(u >= 0.3) & (u < 0.45)] = ""
    race = persons.race[rec_person].copy()
    if len(agency_layout(code, 0).race) > len(RACES):  # an "other" code: sent for some unknowns
        race[(race == 4) & (rng.random(n) < 0.4)] = 5
    female = persons.sex[rec_person] == 1
    found = _name_defects(first, last, female, log)
    found += _sid_defects(sid, log, shared_sid)
    found += _birth_date_defects(dob, log, century_ok)
    found += _harder_identity_noise(log, first, last, dob, rng_of_noise(log))
    if code not in KEEPS_ACCENTS:
        for arr in (first, middle, last):
            arr[:] = [nm.ascii_fold(v) for v in arr.tolist()]
    if code in UPPER_NAMES:
        for arr in (first, middle, last):
            arr[:] = [v.upper() for v in arr.tolist()]
    return {
        "first": first,
        "middle": middle,
        "last": last,
        "dob": dob,
        "sid": sid,
        "person": rec_person,
        "sex": persons.sex[rec_person].astype(np.int64),
        "race": race.astype(np.int64),
        "eth": persons.eth[rec_person].astype(np.int64),
        "defects": found,
    }


def _name_defects(first, last, female, log) -> Found:
    """Nicknames, name typos and changed surnames (mostly women's), in place."""
    n, drng = len(first), log.rng
    found: Found = []
    has_nick = np.array([nm.nickname(f, drng) is not None for f in first.tolist()], dtype=bool)
    picks = log.choose("nickname", has_nick).tolist()
    details = []
    for i in picks:
        new = nm.nickname(first[i], drng)
        details.append(f"{first[i]} -> {new}")
        first[i] = new
    found.append(("nickname", picks, details))

    picks = log.choose("name_typo", np.ones(n, bool)).tolist()
    details = []
    for i in picks:
        if drng.random() < 0.5:
            new = dfx.name_typo(last[i], drng)
            details.append(f"last {last[i]} -> {new}")
            last[i] = new
        else:
            new = dfx.name_typo(first[i], drng)
            details.append(f"first {first[i]} -> {new}")
            first[i] = new
    found.append(("name_typo", picks, details))

    eligible = female | (drng.random(n) < 0.1)
    picks = log.choose("surname_change", eligible).tolist()
    details = []
    pool = [s for o in nm.ORIGINS for s, _ in o.surnames]
    for i in picks:
        other = pool[int(drng.integers(len(pool)))]
        new = f"{last[i]}-{other}" if drng.random() < 0.5 else other
        details.append(f"{last[i]} -> {new}")
        last[i] = new
    found.append(("surname_change", picks, details))
    return found


def _sid_defects(sid, log, shared_sid: str) -> Found:
    """SID typos, placeholder SIDs and one SID shared by unrelated people, in place."""
    found: Found = []
    picks = log.choose("sid_typo", sid != "").tolist()
    details = []
    for i in picks:
        new = dfx.sid_typo(sid[i], log.rng)
        details.append(f"{sid[i]} -> {new}")
        sid[i] = new
    found.append(("sid_typo", picks, details))
    for defect, value in (("placeholder_sid", dfx.PLACEHOLDER_SID), ("shared_sid", shared_sid)):
        picks = log.choose(defect, np.ones(len(sid), bool)).tolist()
        found.append((defect, picks, [f"{sid[i] or 'blank'} -> {value}" for i in picks]))
        sid[picks] = value
    return found


def _birth_date_defects(dob, log, century_ok) -> Found:
    """Day and month swapped, and a century added where the layout allows it, in place."""
    found: Found = []
    y, m, d = ymd(dob)
    picks = log.choose("dob_day_month_swap", (d <= 12) & (d != m))
    if len(picks):
        dob[picks] = from_ymd(y[picks], d[picks], m[picks])
    found.append(
        (
            "dob_day_month_swap",
            picks.tolist(),
            [f"{y[i]}-{m[i]:02d}-{d[i]:02d} sent as {y[i]}-{d[i]:02d}-{m[i]:02d}" for i in picks],
        )
    )
    picks = log.choose("century_dob", century_ok)
    if len(picks):
        dob[picks] = from_ymd(y[picks] + 100, m[picks], d[picks])
    found.append(("century_dob", picks.tolist(), [f"{y[i]} sent as {y[i] + 100}" for i in picks]))
    return found


def rng_of_noise(log: dfx.DefectLog) -> np.random.Generator:
    """A generator of its own for the identity noise added in generator 1.1, so that the draws
    of every other defect are the same with or without it."""
    return np.random.default_rng(log.rng.bit_generator.seed_seq.spawn(1)[0])


def _harder_identity_noise(log, first, last, dob, rng) -> list[tuple[str, list[int], list[str]]]:
    """Typos in both names, phonetic spellings, missing first names and birth dates, birth dates
    replaced outright; changes the arrays in place and returns what it did, for the log."""
    n = len(first)
    found = []
    picks = log.choose("name_typo_both", np.ones(n, bool), rng).tolist()
    details = []
    for i in picks:
        new_first, new_last = dfx.name_typo(first[i], rng), dfx.name_typo(last[i], rng)
        details.append(f"{first[i]} {last[i]} -> {new_first} {new_last}")
        first[i], last[i] = new_first, new_last
    found.append(("name_typo_both", picks, details))

    picks = log.choose("phonetic_spelling", np.ones(n, bool), rng).tolist()
    details = []
    for i in picks:
        names = first if rng.random() < 0.5 else last
        new = nm.phonetic_spelling(names[i], rng)
        details.append(f"{names[i]} -> {new}")
        names[i] = new
    found.append(("phonetic_spelling", picks, details))

    picks = log.choose("missing_first_name", first != "", rng).tolist()
    found.append(("missing_first_name", picks, [f"{first[i]} -> blank" for i in picks]))
    first[picks] = ""

    has_dob = dob != NA
    picks = log.choose("dob_replaced", has_dob, rng)
    years = rng.integers(1, 16, len(picks)) * np.where(rng.random(len(picks)) < 0.5, -1, 1)
    new_dob = (
        dob[picks] + np.round(years * 365.25).astype(np.int64) + rng.integers(-180, 181, len(picks))
    )
    found.append(
        (
            "dob_replaced",
            picks.tolist(),
            [f"{a} -> {b}" for a, b in zip(dob[picks], new_dob, strict=True)],
        )
    )
    dob[picks] = new_dob

    picks = log.choose("missing_dob", dob != NA, rng)
    found.append(("missing_dob", picks.tolist(), ["blank"] * len(picks)))
    dob[picks] = NA
    return found


PEOPLE_RENDER = {
    "id": s_col,
    "sid": s_col,
    "last": s_col,
    "first": s_col,
    "middle": s_col,
    "dob": d_col,
    "sex": code_col("sex"),
    "race": code_col("race"),
    "eth": code_col("ethnicity"),
    "pcf": s_col,
}


def _seq(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64) * 10_000_000 + np.arange(len(days))


def _people_table(code, identity, rec_ids, rows, pmonth, psid, stays, rec_first_stay) -> Table:
    data = {
        "id": rec_ids[rows],
        "sid": psid,
        "last": identity["last"][rows],
        "first": identity["first"][rows],
        "middle": identity["middle"][rows],
        "dob": identity["dob"][rows],
        "sex": identity["sex"][rows],
        "race": identity["race"][rows],
        "eth": identity["eth"][rows],
    }
    if code == STATE_AGENCY:
        # The probation central file number follows the person; it is often missing.
        person = identity["person"][rows]
        pcf = np.array([f"{v:07d}" for v in ((person * 7919 + 1234567) % 10_000_000).tolist()])
        data["pcf"] = np.where((person * 37) % 100 < 22, "", pcf).astype(object)
    order_day = stays.start[rec_first_stay[rows]]
    return Table(
        role="people",
        data=data,
        renderers=PEOPLE_RENDER,
        month=pmonth.astype(np.int64),
        seq=_seq(np.maximum(order_day, 0) + 0),
        rec=rows.astype(np.int64),
        key=rec_ids[rows],
        string_cols=frozenset({"last", "first", "middle"}),
    )


STAY_RENDER = {
    "stay_id": s_col,
    "person_id": s_col,
    "facility": s_col,
    "start": d_col,
    "end": d_col,
    "status": code_col("status"),
    "reason": code_col("release"),
    "sending": s_col,
}


def _stays_table(code, stays, stay_ids, rec_ids, rec_of_stay, fac_codes, sex, rng, log) -> Table:
    start_m = np.maximum(month_index(stays.start), 0)
    closed = stays.end < OPEN
    end_m = np.where(closed, month_index(np.minimum(stays.end, WINDOW_END)), N_MONTHS)
    single = closed & (end_m == start_m)
    open_rows = np.flatnonzero(~single)
    close_rows = np.flatnonzero(closed)
    idx = np.concatenate([open_rows, close_rows])
    is_close = np.concatenate([np.zeros(len(open_rows), bool), np.ones(len(close_rows), bool)])
    end = np.where(is_close, stays.end[idx], NA)
    reason = np.where(is_close, stays.release[idx], -1).astype(np.int64)
    _release_date_defects(stays, stay_ids, rec_of_stay, idx, is_close, end, rng, log)
    sending = np.array(
        [AGENCY_CODES[s] if s >= 0 else "" for s in stays.sending[idx].tolist()], dtype=object
    )
    month = np.where(is_close, end_m[idx], start_m[idx])
    event_day = np.where(is_close, np.minimum(stays.end[idx], WINDOW_END), stays.start[idx])
    return Table(
        role="stays",
        data={
            "stay_id": stay_ids[idx],
            "person_id": rec_ids[rec_of_stay[idx]],
            "facility": fac_codes[stays.facility[idx]],
            "start": stays.start[idx],
            "end": end,
            "status": stays.status[idx].astype(np.int64),
            "reason": reason,
            "sending": sending,
        },
        renderers=STAY_RENDER,
        month=month.astype(np.int64),
        seq=_seq(event_day),
        rec=idx.astype(np.int64),
        key=stay_ids[idx],
    )


def _release_date_defects(stays, stay_ids, rec_of_stay, idx, is_close, end, rng, log) -> None:
    """Release dates sent wrong, in `end`: after the person's next admission here (overlapping
    spells), or before the admission."""
    nxt = np.full(len(stays), -1, dtype=np.int64)
    order = np.lexsort((stays.start, rec_of_stay))
    same = rec_of_stay[order[1:]] == rec_of_stay[order[:-1]]
    nxt[order[:-1][same]] = order[1:][same]
    has_next = np.zeros(len(idx), dtype=bool)
    has_next[is_close] = nxt[idx[is_close]] >= 0
    overlap_rows = log.choose("overlapping_spell", has_next)
    for r in overlap_rows.tolist():
        nstart = stays.start[nxt[idx[r]]]
        end[r] = nstart + int(rng.integers(1, 16))
        log.before_sort(
            "overlapping_spell",
            "stays",
            r,
            str(stay_ids[idx[r]]),
            f"release sent after next admission ({stay_ids[nxt[idx[r]]]})",
        )
    for r in log.choose("exit_before_start", is_close & (end != NA)).tolist():
        if r in set(overlap_rows.tolist()):
            continue
        end[r] = stays.start[idx[r]] - int(rng.integers(1, 31))
        log.before_sort(
            "exit_before_start", "stays", r, str(stay_ids[idx[r]]), "release before admission"
        )


MOVE_RENDER = {
    "id": s_col,
    "date": d_col,
    "code": s_col,
    "desc": s_col,
    "facility": s_col,
    "status": code_col("status"),
}
RELEASE_MOVE = {
    REL["EXPIRED"]: "REL",
    REL["PAROLE"]: "PAR",
    REL["COURT"]: "CRT",
    REL["DIED"]: "DTH",
    REL["ESCAPE"]: "ESC",
    REL["TO_COUNTY"]: "TRO",
    REL["STATUS_CHANGE"]: "CRT",
    REL["TO_DOC"]: "TRF",
    REL["BAIL"]: "CRT",
}


def _movements_table(stays, segments, rec_ids, fac_codes, rng) -> Table:
    seg_stay = segments.stay
    first_seg = np.r_[True, seg_stay[1:] != seg_stay[:-1]]
    adm_code = np.array(["ADM", "PVA", "TRI"], dtype=object)[stays.doc_move[seg_stay]]
    code = np.where(first_seg, adm_code, "TRF").astype(object)
    ids = [rec_ids[seg_stay]]
    days = [segments.start]
    codes = [code]
    facs = [fac_codes[segments.facility]]
    status = [stays.status[seg_stay].astype(np.int64)]
    last_seg = np.r_[seg_stay[1:] != seg_stay[:-1], True]
    closed = last_seg & (segments.end < OPEN)
    rel = stays.release[seg_stay[closed]]
    ids.append(rec_ids[seg_stay[closed]])
    days.append(segments.end[closed])
    codes.append(np.array([RELEASE_MOVE[int(r)] for r in rel.tolist()], dtype=object))
    facs.append(fac_codes[segments.facility[closed]])
    status.append(stays.status[seg_stay[closed]].astype(np.int64))
    day_arr = np.concatenate(days)
    code_arr = np.concatenate(codes)
    desc = np.array(
        [
            DOC_MOVES[c][int(u < 0.5)]
            for c, u in zip(code_arr, rng.random(len(code_arr)), strict=True)
        ],
        dtype=object,
    )
    month = np.maximum(month_index(np.minimum(day_arr, WINDOW_END)), 0)
    keep = day_arr <= WINDOW_END
    stay_of_row = np.concatenate([seg_stay, seg_stay[closed]])
    table = Table(
        role="movements",
        data={
            "id": np.concatenate(ids),
            "date": day_arr,
            "code": code_arr,
            "desc": desc,
            "facility": np.concatenate(facs),
            "status": np.concatenate(status).astype(np.int64),
        },
        renderers=MOVE_RENDER,
        month=month.astype(np.int64),
        seq=_seq(day_arr),
        rec=np.arange(len(day_arr), dtype=np.int64),
        key=np.concatenate(ids),
    )
    # Initial load of commitments open on 2017-01-01: the admission and the latest move before
    # 2014 are sent; older intermediate transfers are not.
    old = day_arr < month_start(0) - 3 * 365
    admission = np.concatenate([first_seg, np.zeros(int(closed.sum()), dtype=bool)])
    latest_old = np.zeros(len(day_arr), dtype=bool)
    old_idx = np.flatnonzero(old)
    if len(old_idx):
        order = old_idx[np.lexsort((day_arr[old_idx], stay_of_row[old_idx]))]
        last = np.r_[stay_of_row[order[1:]] != stay_of_row[order[:-1]], True]
        latest_old[order[last]] = True
    keep &= ~old | admission | latest_old
    return table.take(np.flatnonzero(keep))


def month_start(month: int) -> int:
    return int(np.datetime64(FIRST_MONTH + month, "M").astype("datetime64[D]").astype(int))


def _enrollment_ids(code: str, enr: Enrollments, rng) -> np.ndarray:
    fmt = ID_FORMATS[code][4] or "{:07d}"
    return _ids(fmt, 100000 if code != STATE_AGENCY else 1000000, len(enr), rng)


ENROLL_RENDER = {
    "enroll_id": s_col,
    "stay_id": s_col,
    "program": s_col,
    "start": d_col,
    "end": d_col,
    "reason": s_col,
    "reason_code": s_col,
}


def _exit_text(code: str, exits: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Free-text exit reason (and DOC's code) per enrollment; blank when active."""
    n = len(exits)
    text = np.full(n, "", dtype=object)
    codes = np.full(n, "", dtype=object)
    # Each agency uses its own subset of the vocabulary: pick a stable per-agency variant set.
    agency_rng = np.random.default_rng([ord(c) for c in code])
    for i, reason in enumerate(EXIT_REASONS):
        m = exits == i
        if not m.any():
            continue
        if code == STATE_AGENCY:
            codes[m] = DOC_EXIT_CODES[reason]
            text[m] = _pick(DOC_EXIT_DESC[reason], rng, int(m.sum()))
        else:
            options = ENROLL_EXIT_TEXT[reason]
            k = max(1, min(len(options), int(agency_rng.integers(1, 4))))
            subset = tuple(options[j] for j in agency_rng.permutation(len(options))[:k])
            text[m] = _pick(subset, rng, int(m.sum()))
    if code != STATE_AGENCY:
        text = _vary_case(text, rng)
    return text, codes


def _enroll_activity(code, enr, enr_ids, stay_ids, off_codes, rng, log) -> Table:
    start_m = np.maximum(month_index(enr.start), 0)
    closed = enr.exit >= 0
    end_m = np.where(closed, month_index(np.minimum(enr.end, WINDOW_END)), N_MONTHS)
    single = closed & (end_m == start_m)
    text, codes = _exit_text(code, enr.exit, rng)
    open_rows = np.flatnonzero(~single)
    close_rows = np.flatnonzero(closed)
    # Overlapping spells: a second record of the same spell under a new enrollment id.
    span = np.where(closed, enr.end - enr.start, 0)
    dup_src = log.choose("overlapping_spell", closed & (span >= 3))
    idx = np.concatenate([open_rows, close_rows, dup_src])
    is_close = np.concatenate(
        [np.zeros(len(open_rows), bool), np.ones(len(close_rows) + len(dup_src), bool)]
    )
    ids = enr_ids[idx].copy()
    start = enr.start[idx].copy()
    base = len(open_rows) + len(close_rows)
    _second_records(code, enr, enr_ids, dup_src, span, base, ids, start, rng, log)
    end = np.where(is_close, enr.end[idx], NA)
    for r in log.choose("exit_before_start", is_close[:base]).tolist():
        end[r] = start[r] - int(rng.integers(1, 31))
        log.before_sort(
            "exit_before_start", "activity", r, str(ids[r]), "end date before start date"
        )
    month = np.where(is_close, end_m[idx], start_m[idx])
    event_day = np.where(is_close, np.minimum(enr.end[idx], WINDOW_END), enr.start[idx])
    table = Table(
        role="activity",
        data={
            "enroll_id": ids,
            "stay_id": stay_ids[enr.stay[idx]],
            "program": off_codes[enr.offering[idx]],
            "start": start,
            "end": end,
            "reason": np.where(is_close, text[idx], ""),
            "reason_code": np.where(is_close, codes[idx], ""),
        },
        renderers=ENROLL_RENDER,
        month=month.astype(np.int64),
        seq=_seq(event_day),
        rec=idx.astype(np.int64),
        key=ids,
    )
    _future_dates(table, "start", log, rng)
    return table


def _second_records(code, enr, enr_ids, dup_src, span, base, ids, start, rng, log) -> None:
    """Rows `base`… of `ids` and `start`: a second record of each spell of `dup_src` under a
    new enrollment id, starting during the first (overlapping spells)."""
    extra_ids = (
        _ids("{:07d}", 9000000, len(dup_src), rng)
        if code != STATE_AGENCY
        else _ids("{:07d}", 8000000, len(dup_src), rng)
    )
    for j, src in enumerate(dup_src.tolist()):
        r = base + j
        ids[r] = extra_ids[j]
        start[r] = enr.start[src] + int(rng.integers(1, max(2, span[src])))
        log.before_sort(
            "overlapping_spell",
            "activity",
            r,
            str(ids[r]),
            f"second enrollment overlapping {enr_ids[src]} in the same program",
        )


def _future_dates(table: Table, key: str, log, rng) -> None:
    values = table.data[key]
    ok = values != NA
    for r in log.choose("future_date", ok).tolist():
        years = int(rng.choice([10, 10, 20, 100]))
        y, m, d = ymd(values[r : r + 1])
        values[r] = from_ymd(y + years, m, d)[0]
        log.before_sort(
            "future_date", table.role, r, str(table.key[r]), f"year {y[0]} sent as {y[0] + years}"
        )


EVENT_RENDER = {
    "event_id": s_col,
    "person_id": s_col,
    "stay_id": s_col,
    "program": s_col,
    "date": d_col,
    "type": s_col,
    "reason": s_col,
}


def _events_activity(
    code, enr, referrals, stay_ids, rec_ids, rec_of_stay, off_codes, stays, rng, log
) -> Table:
    types = np.array(EVENT_CODES[code], dtype=object)
    e_idx, stay, off, day_arr, typ, reason, is_term = _events(enr, referrals, rng)
    # Exit before start: the terminal event dated before the start event.
    for r in log.choose("exit_before_start", is_term).tolist():
        day_arr[r] = enr.start[e_idx[r]] - int(rng.integers(1, 31))
        log.before_sort(
            "exit_before_start",
            "activity",
            r,
            f"{stay_ids[stay[r]]}/{off_codes[off[r]]}",
            "terminal event dated before the start event",
        )
    event_ids = _ids("{:08d}", 10_000_000, len(e_idx), rng)
    month = np.maximum(month_index(np.minimum(day_arr, WINDOW_END)), 0)
    table = Table(
        role="activity",
        data={
            "event_id": event_ids,
            "person_id": rec_ids[rec_of_stay[stay]],
            "stay_id": stay_ids[stay],
            "program": off_codes[off],
            "date": day_arr,
            "type": types[typ],
            "reason": reason,
        },
        renderers=EVENT_RENDER,
        month=month.astype(np.int64),
        seq=_seq(day_arr * 16 + typ),
        rec=np.arange(len(e_idx), dtype=np.int64),
        key=event_ids,
    )
    _future_dates(table, "date", log, rng)
    return table


def _events(enr, referrals, rng) -> tuple[np.ndarray, ...]:
    """The events layout's events, as columns: enrollment (-1: a referral that never started),
    stay, offering, day, event type index, reason, and whether it ends the enrollment. Per
    enrollment: referral, start, suspension and resumption, end; then the unstarted referrals."""
    t_index = {t: i for i, t in enumerate(EVENT_TYPES)}
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    n = len(enr)
    all_e = np.arange(n)
    m = enr.referral >= 0
    parts.append((all_e[m], enr.stay[m], enr.offering[m], enr.referral[m], np.full(m.sum(), 0)))
    parts.append((all_e, enr.stay, enr.offering, enr.start, np.full(n, 1)))
    m = enr.suspend >= 0
    parts.append((all_e[m], enr.stay[m], enr.offering[m], enr.suspend[m], np.full(m.sum(), 2)))
    parts.append((all_e[m], enr.stay[m], enr.offering[m], enr.resume[m], np.full(m.sum(), 3)))
    closed = enr.exit >= 0
    term_type = np.full(n, 9)
    term_reason = np.full(n, "", dtype=object)
    for i, reason in enumerate(EXIT_REASONS):
        mm = enr.exit == i
        if not mm.any() or reason not in EVENT_EXIT:
            continue
        etype, reasons = EVENT_EXIT[reason]
        term_type[mm] = t_index[etype]
        term_reason[mm] = _pick(reasons, rng, int(mm.sum()))
    parts.append(
        (all_e[closed], enr.stay[closed], enr.offering[closed], enr.end[closed], term_type[closed])
    )
    k = len(referrals.stay)
    parts.append((np.full(k, -1), referrals.stay, referrals.offering, referrals.day, np.full(k, 0)))
    e_idx = np.concatenate([p[0] for p in parts])
    reason = np.full(len(e_idx), "", dtype=object)
    is_term = np.zeros(len(e_idx), dtype=bool)
    start_of_term = len(e_idx) - k - int(closed.sum())
    is_term[start_of_term : len(e_idx) - k] = True
    reason[is_term] = term_reason[closed]
    return (
        e_idx,
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]).astype(np.int64),
        np.concatenate([p[4] for p in parts]),
        _vary_case(reason, rng),
        is_term,
    )


def _attended(values: np.ndarray, layout: Layout) -> np.ndarray:
    return np.array(["Y", "N"], dtype=object)[values]


ATTEND_RENDER = {
    "att_id": int_col("{}"),
    "exit_id": int_col("{}"),
    "person_id": s_col,
    "program": s_col,
    "date": d_col,
    "attended": _attended,
    "status": s_col,
    "note": s_col,
}


def _attend_activity(enr, rec_ids, rec_of_stay, off_codes, offerings, rng, log):
    """The attendance layout's files: one row per session, and one per exit."""
    person = rec_ids[rec_of_stay[enr.stay]]
    sessions = _sessions(enr, person, off_codes, offerings, rng, log)
    return sessions, _attend_exits(enr, person, off_codes, rng, log)


def _sessions(enr, person, off_codes, offerings, rng, log) -> Table:
    """Sessions at the program's cadence from start to exit (or the window's end), some
    missed; ids follow the date order."""
    per_week = cadence(offerings)[enr.offering]
    last_day = np.where(enr.exit >= 0, enr.end, WINDOW_END)
    span = np.maximum(last_day - enr.start, 0)
    n_sessions = np.floor(span * per_week / 7.0).astype(np.int64) + 1
    total = int(n_sessions.sum())
    owner = np.repeat(np.arange(len(enr)), n_sessions)
    first = np.cumsum(n_sessions) - n_sessions
    k = np.arange(total) - np.repeat(first, n_sessions)
    step = 7.0 / per_week[owner]
    day_arr = enr.start[owner] + np.round(k * step).astype(np.int64)
    day_arr = np.minimum(day_arr, last_day[owner])
    attended = (rng.random(total) < 0.12).astype(np.int8)
    attended[k == 0] = 0
    month = np.maximum(month_index(np.minimum(day_arr, WINDOW_END)), 0)
    base = 1_000_000 + int(rng.integers(0, 1000))
    sessions = Table(
        role="activity",
        data={
            "att_id": np.zeros(total, dtype=np.int64),
            "person_id": person[owner],
            "program": off_codes[enr.offering[owner]],
            "date": day_arr,
            "attended": attended,
        },
        renderers=ATTEND_RENDER,
        month=month.astype(np.int64),
        seq=_seq(day_arr),
        rec=np.arange(total, dtype=np.int64),
        key=np.empty(total, dtype=object),
    )
    order = np.lexsort((np.arange(total), day_arr))
    ids = np.empty(total, dtype=np.int64)
    ids[order] = base + np.arange(total)
    sessions.data["att_id"] = ids
    sessions.key = ids.astype(object)
    _future_dates(sessions, "date", log, rng)
    return sessions


def _attend_exits(enr, person, off_codes, rng, log) -> Table:
    """One row per ended enrollment: status code and note of its exit reason."""
    closed = np.flatnonzero(enr.exit >= 0)
    status = np.full(len(closed), "UNK", dtype=object)
    note = np.full(len(closed), "", dtype=object)
    for i, reason in enumerate(EXIT_REASONS):
        m = enr.exit[closed] == i
        if m.any() and reason in ATTEND_EXIT:
            code, notes = ATTEND_EXIT[reason]
            status[m] = code
            note[m] = _pick(notes, rng, int(m.sum()))
    exit_day = enr.end[closed].copy()
    for r in log.choose("exit_before_start", np.ones(len(closed), bool)).tolist():
        exit_day[r] = enr.start[closed[r]] - int(rng.integers(1, 31))
        log.before_sort(
            "exit_before_start",
            "exits",
            r,
            f"{person[closed[r]]}/{off_codes[enr.offering[closed[r]]]}",
            "exit dated before the first session",
        )
    exit_ids = 500_000 + np.arange(len(closed)) * 2 + rng.integers(0, 2, len(closed))
    return Table(
        role="exits",
        data={
            "exit_id": exit_ids,
            "person_id": person[closed],
            "program": off_codes[enr.offering[closed]],
            "date": exit_day,
            "status": status,
            "note": note,
        },
        renderers=ATTEND_RENDER,
        month=np.maximum(month_index(np.minimum(enr.end[closed], WINDOW_END)), 0).astype(np.int64),
        seq=_seq(enr.end[closed]),
        rec=np.arange(len(closed), dtype=np.int64),
        key=exit_ids.astype(object),
    )


def _late_and_duplicates(table: Table, role: str, log: dfx.DefectLog) -> Table:
    n = len(table)
    order = np.lexsort((table.seq, table.month, table.rec))
    next_month = np.full(n, N_MONTHS, dtype=np.int64)
    same = table.rec[order[1:]] == table.rec[order[:-1]]
    next_month[order[:-1][same]] = table.month[order[1:]][same]
    picks = log.choose("late_record", np.ones(n, dtype=bool))
    delay = log.rng.integers(1, 7, len(picks))
    new = np.minimum(np.minimum(table.month[picks] + delay, next_month[picks] - 1), N_MONTHS - 1)
    for r, m_new in zip(picks.tolist(), new.tolist(), strict=True):
        m_old = int(table.month[r])
        if m_new <= m_old:
            continue
        table.month[r] = m_new
        log.before_sort(
            "late_record",
            role,
            r,
            str(table.key[r]),
            f"due in {month_label(m_old)}, sent in {month_label(m_new)}",
        )
    picks = log.choose("duplicate_row", np.ones(n, dtype=bool))
    if len(picks):
        for j, r in enumerate(picks.tolist()):
            log.before_sort("duplicate_row", role, n + j, str(table.key[r]), "row sent twice")
        table = table.append(table.take(picks))
    return table


DATE_KEY = {"activity": ("start", "date"), "people": ("dob",), "stays": ("start",)}


def _single(table: Table) -> np.ndarray:
    """Rows not sent twice in a row (field defects leave exact duplicates exact)."""
    key = table.key
    same = np.zeros(len(key), dtype=bool)
    if len(key) > 1:
        eq = key[1:] == key[:-1]
        same[1:] |= eq
        same[:-1] |= eq
    return ~same


def _field_defects(code, tables, stays_role, valid_codes, log) -> None:
    rng = log.rng
    act = tables["activity"]
    single = _single(act)
    date_key = "start" if "start" in act.data else "date"
    for pos in log.choose("unknown_program_code", single).tolist():
        old = str(act.data["program"][pos])
        new = _invalid_code(old, valid_codes, rng)
        act.overrides.setdefault(pos, {})["program"] = new
        log.add("unknown_program_code", "activity", pos, str(act.key[pos]), f"{old} -> {new}")
    for pos in log.choose("unparseable_date", single).tolist():
        layout = agency_layout(code, int(act.month[pos]))
        value = int(act.data[date_key][pos])
        year = int(ymd(np.array([value]))[0][0]) if value != NA else 2020
        text = dfx.unparseable_date(layout.date_format, year, rng)
        act.overrides.setdefault(pos, {})[date_key] = text
        log.add("unparseable_date", "activity", pos, str(act.key[pos]), f"{date_key} = {text!r}")
    for role, keys in (("people", ("last", "dob")), (stays_role, ("start",)), ("activity", None)):
        table = tables[role]
        if role == "movements":
            keys = ("date",)
        if keys is None:
            keys = ("program", date_key)
        for pos in log.choose("missing_required", _single(table)).tolist():
            key = keys[int(rng.integers(len(keys)))]
            table.overrides.setdefault(pos, {})[key] = ""
            log.add("missing_required", role, pos, str(table.key[pos]), f"{key} blank")
    for pos in log.choose("malformed_line", single).tolist():
        broken, detail = dfx.malformed(rng)
        act.line_override[pos] = broken
        log.add("malformed_line", "activity", pos, str(act.key[pos]), detail)


def _invalid_code(old: str, valid: set[str], rng) -> str:
    for _ in range(20):
        kind = int(rng.integers(3))
        if kind == 0 and old:
            candidate = old[:-1] + str(int(rng.integers(10)))
        elif kind == 1:
            candidate = old + ("A", "X", "1", "-OLD")[int(rng.integers(4))]
        else:
            candidate = ("TMP", "NEW", "9999", "000")[int(rng.integers(4))] + str(
                int(rng.integers(10, 99))
            )
        if candidate not in valid and candidate != old:
            return candidate
    return old + "-X"


def _corrections(code, tables, log, rng) -> dict[int, list[Revision]]:
    """Months resubmitted: r1 left rows out, sent some twice, or wrote dates wrongly."""
    plan: dict[int, list[Revision]] = {}
    months = log.choose("correction", np.ones(N_MONTHS, dtype=bool))
    for month in months.tolist():
        layout = agency_layout(code, month)
        kind = ("missing_rows", "duplicate_rows", "bad_dates")[
            int(rng.choice(3, p=[0.5, 0.25, 0.25]))
        ]
        revisions = [Revision(1)]
        if rng.random() < 0.15:
            revisions.append(Revision(2))
        if not _correction_changes_something(tables, month, kind, len(revisions)):
            continue  # a "correction" identical to the month it corrects is not sent
        final = Revision(len(revisions) + 1)
        for number, revision in enumerate(revisions, start=1):
            this_kind = kind if number == 1 else "missing_rows"
            avoid = revisions[0].drop if number > 1 else None
            _damage(code, tables, revision, this_kind, month, layout, log, rng, final.number, avoid)
        plan[month] = [*revisions, final]
    return plan


def _correction_changes_something(tables, month: int, kind: str, damaged: int) -> bool:
    """Whether the damaged revisions of a month differ from its final one (a month without the
    rows a damage needs would be sent twice unchanged). Uses no random numbers."""

    def has_rows(role: str) -> bool:
        lo, hi = tables[role].month_rows(month)
        return hi > lo

    any_rows = any(has_rows(role) for role in ["activity", "stays"] if role in tables)
    first_changes = has_rows("activity") if kind == "bad_dates" else any_rows
    return first_changes or (damaged > 1 and any_rows)


def _damage(code, tables, revision, kind, month, layout, log, rng, final_number, avoid=None):
    """Damage one revision of a month. `avoid`: rows an earlier revision already left out;
    leaving out the same rows again would resend that revision, so they are sent twice."""
    act_roles = ["activity"] + (["stays"] if "stays" in tables else [])
    if kind == "bad_dates":
        wrong = "%Y-%m-%d" if layout.date_format != "%Y-%m-%d" else "%m/%d/%Y"
        revision.date_format["activity"] = wrong
        lo, hi = tables["activity"].month_rows(month)
        log.add(
            "correction",
            "activity",
            None,
            "",
            f"r{revision.number} wrote dates as {wrong} in all {hi - lo} rows; "
            f"fixed in r{final_number}",
            month=month,
            revision=revision.number,
        )
        return
    for role in act_roles:
        table = tables[role]
        lo, hi = table.month_rows(month)
        if hi <= lo:
            continue
        share = 0.05 + 0.15 * rng.random() if kind == "missing_rows" else 0.1 + 0.2 * rng.random()
        chosen = np.flatnonzero(rng.random(hi - lo) < share) + lo
        if not len(chosen):
            chosen = np.array([lo + int(rng.integers(hi - lo))])
        role_kind = kind
        if avoid is not None and avoid.get(role) == set(chosen.tolist()):
            role_kind = "duplicate_rows"
        target = revision.drop if role_kind == "missing_rows" else revision.duplicate
        target[role] = set(chosen.tolist())
        log.add(
            "correction",
            role,
            None,
            "",
            f"r{revision.number} {role_kind.replace('_', ' ')}: {len(chosen)} of {hi - lo} rows; "
            f"fixed in r{final_number}",
            month=month,
            revision=revision.number,
        )
        _log_damaged_rows(
            table, role, role_kind, set(chosen.tolist()), lo, hi, revision, month, log
        )


def _log_damaged_rows(table, role, kind, chosen: set[int], lo, hi, revision, month, log) -> None:
    """One defect per row left out of or sent twice in the revision (with its line then)."""
    shift = 0
    for pos in range(lo, hi):
        if kind == "missing_rows" and pos in chosen:
            log.add(
                "correction_missing_row",
                role,
                None,
                str(table.key[pos]),
                f"left out of r{revision.number}",
                month=month,
                revision=revision.number,
            )
            shift -= 1
        elif kind == "duplicate_rows" and pos in chosen:
            line = pos - lo + 2 + shift
            log.add(
                "correction_duplicate_row",
                role,
                None,
                str(table.key[pos]),
                f"sent twice in r{revision.number}",
                month=month,
                revision=revision.number,
                line=line + 1,
            )
            shift += 1


def _catalog_renderer(offerings: list[Offering]):
    def lines(month: int, layout: Layout) -> list[str]:
        out = []
        delim = layout.delimiter
        for o in offerings:
            if o.first_month <= month <= o.last_month:
                name = o.name_at(month)
                if delim in name or '"' in name:
                    name = '"' + name.replace('"', '""') + '"'
                out.append(delim.join((o.code, name, o.type_word, o.facility)))
        return out

    return lines
