"""Program enrollments during custody, per agency.

Custody is cut into segments (one facility at a time: DOC people move between prisons). Each
segment yields enrollments at a rate depending on custody status; programs are drawn from the
agency's offerings at that facility, open that month and fitting the person's sex. Durations follow
the program's typical length; exits follow the program's kind, are censored by release or transfer,
by the program's retirement, and by the spring-2020 pandemic suspension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Offering
from .dates import month_index
from .reference import (
    CIVIL,
    EXIT_INDEX,
    FIRST_MONTH,
    PRETRIAL,
    REL,
    STATE_AGENCY,
    WINDOW_END,
    canonical_programs,
    day,
    facilities,
    facility_index,
)
from .world import OPEN, Stays

ENROLL_FROM = day("2016-07-01")
PANDEMIC = day("2020-03-16")
SEG_TRANSFER, SEG_RELEASE, SEG_OPEN = 0, 1, 2

# Enrollment rates per custody day (programs, work) by status: PRETRIAL, SENTENCED, CIVIL,
# FEDERAL. County and DOC differ.
COUNTY_RATE = {"program": (0.013, 0.042, 0.030, 0.006), "work": (0.001, 0.012, 0.0, 0.0)}
DOC_RATE = {"program": (0.006, 0.020, 0.01, 0.004), "work": (0.0, 0.016, 0.0, 0.0)}
# Category affinity by status (pre-trial people mostly get short, open programs).
PRETRIAL_AFFINITY = {
    "EDUCATION": 0.8,
    "VOCATIONAL": 0.25,
    "WORK": 1.0,
    "SUBSTANCE_USE": 1.8,
    "BEHAVIORAL_HEALTH": 1.3,
    "COGNITIVE_BEHAVIORAL": 0.5,
    "VIOLENCE_ANGER": 0.4,
    "REENTRY": 0.9,
    "FAMILY_PARENTING": 0.5,
    "LIFE_SKILLS_WELLNESS": 1.2,
    "MENTORSHIP": 0.8,
    "RELIGIOUS": 1.8,
    "COMMUNITY_REINVESTMENT": 0.2,
}
CIVIL_AFFINITY = {
    c: (4.0 if c in ("SUBSTANCE_USE", "BEHAVIORAL_HEALTH") else 0.3) for c in PRETRIAL_AFFINITY
}
OPEN_ENDED = {"LIFE_SKILLS_WELLNESS", "MENTORSHIP", "RELIGIOUS", "COMMUNITY_REINVESTMENT"}
OPEN_ENDED_CODES = {"SUD_AA", "SUD_NA", "SUD_SMART", "SUD_MAT", "BH_MH_GROUP", "REE_VETERANS"}
# Sessions per week in the attendance layout, by category.
CADENCE = {
    "EDUCATION": 5,
    "VOCATIONAL": 5,
    "WORK": 7,
    "SUBSTANCE_USE": 5,
    "BEHAVIORAL_HEALTH": 2,
    "COGNITIVE_BEHAVIORAL": 2,
    "VIOLENCE_ANGER": 3,
    "REENTRY": 2,
    "FAMILY_PARENTING": 1,
    "LIFE_SKILLS_WELLNESS": 3,
    "MENTORSHIP": 1,
    "RELIGIOUS": 2,
    "COMMUNITY_REINVESTMENT": 4,
}
_EXITS = (
    "COMPLETED",
    "MAX_BENEFIT",
    "REMOVED_BEHAVIOR",
    "REMOVED_NONCOMPLIANCE",
    "WITHDREW_REFUSED",
    "MEDICAL_MH",
    "PROGRAM_CHANGE",
    "ESCAPE_ABSCOND",
    "DECEASED",
    "OTHER_KNOWN",
    "UNKNOWN",
)
EXIT_MIX = {
    "structured": (0.64, 0.02, 0.07, 0.09, 0.11, 0.025, 0.03, 0.001, 0.001, 0.004, 0.01),
    "open": (0.30, 0.25, 0.05, 0.09, 0.19, 0.03, 0.06, 0.001, 0.001, 0.005, 0.015),
    "work": (0.18, 0.04, 0.14, 0.09, 0.11, 0.05, 0.37, 0.002, 0.001, 0.004, 0.01),
}


@dataclass
class Segments:
    stay: np.ndarray  # index into the agency's stays
    facility: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray  # SEG_TRANSFER / SEG_RELEASE / SEG_OPEN


@dataclass
class Enrollments:
    stay: np.ndarray
    segment: np.ndarray
    offering: np.ndarray
    start: np.ndarray
    end: np.ndarray  # OPEN when active at the end of the window
    exit: np.ndarray  # index into EXIT_REASONS, -1 when active
    referral: np.ndarray  # referral day (events layout), -1 if none
    suspend: np.ndarray  # suspension day, -1 if none
    resume: np.ndarray

    def __len__(self) -> int:
        return len(self.stay)


@dataclass
class Referrals:
    """Referrals that never started."""

    stay: np.ndarray
    offering: np.ndarray
    day: np.ndarray


def sheriff_segments(stays: Stays) -> Segments:
    kind = np.where(
        stays.end >= OPEN,
        SEG_OPEN,
        np.where(
            np.isin(stays.release, [REL["STATUS_CHANGE"], REL["TO_DOC"], REL["TO_COUNTY"]]),
            SEG_TRANSFER,
            SEG_RELEASE,
        ),
    )
    return Segments(np.arange(len(stays)), stays.facility.copy(), stays.start, stays.end, kind)


def doc_segments(stays: Stays, sex: np.ndarray, rng: np.random.Generator) -> Segments:
    """DOC commitments cut into facility segments: reception, classification, moves,
    pre-release at the end, and moves forced by the closure of Cedar Junction and Concord."""
    fx = facility_index()
    prisons = _DocPrisons(rng)
    out_stay, out_fac, out_start, out_end, out_kind = [], [], [], [], []
    ends, releases = stays.end.tolist(), stays.release.tolist()
    uniform = rng.random((len(stays), 6)).tolist()
    for i, (s, e, status, female) in enumerate(
        zip(stays.start.tolist(), ends, stays.status.tolist(), (sex == 1).tolist(), strict=True)
    ):
        pieces = prisons.placements(s, e, status, female, releases[i], uniform[i])
        prisons.closure_moves(pieces, e)
        for k, (code, t) in enumerate(pieces):
            nxt = pieces[k + 1][1] if k + 1 < len(pieces) else e
            out_stay.append(i)
            out_fac.append(fx[code])
            out_start.append(t)
            out_end.append(nxt)
            if k + 1 < len(pieces):
                out_kind.append(SEG_TRANSFER)
            elif e >= OPEN:
                out_kind.append(SEG_OPEN)
            elif releases[i] in (REL["STATUS_CHANGE"], REL["TO_COUNTY"]):
                out_kind.append(SEG_TRANSFER)
            else:
                out_kind.append(SEG_RELEASE)
    return Segments(
        np.array(out_stay, dtype=np.int64),
        np.array(out_fac, dtype=np.int32),
        np.array(out_start, dtype=np.int64),
        np.array(out_end, dtype=np.int64),
        np.array(out_kind, dtype=np.int8),
    )


class _DocPrisons:
    """DOC's prisons: where a commitment is placed, and the moves forced by closures."""

    MAIN = ("SBCC", "MCINOR", "MCISHI", "NCCI", "OCCC", "MCICON", "MTC", "MCICJ", "BSH")
    MAIN_WEIGHTS = np.array([0.15, 0.21, 0.17, 0.14, 0.14, 0.11, 0.04, 0.02, 0.02])
    PRE_RELEASE = ("BPRC", "NECC", "PCC", "SMCC")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.info = {f.code: f for f in facilities() if f.agency == STATE_AGENCY}

    def open_at(self, code: str, when: int) -> bool:
        closed = self.info[code].closed
        return closed is None or when < closed

    def pick_main(self, when: int, exclude: str = "") -> str:
        ok = np.array([self.open_at(c, when) and c != exclude for c in self.MAIN])
        w = self.MAIN_WEIGHTS * ok
        return self.MAIN[int(self.rng.choice(len(self.MAIN), p=w / w.sum()))]

    def placements(self, s, e, status, female, release, u) -> list[list]:
        """[facility, from day] of one commitment: women at Framingham (South Middlesex before
        release), civil commitments at Bridgewater, awaiting trial at Cedar Junction (NCCI once
        closed), the others reception, a main prison, maybe another, maybe pre-release."""
        pieces: list[list] = []
        if female:
            pieces.append(["MCIFRA", s])
            if e < OPEN and e - s > 365 and u[0] < 0.3:
                pieces.append(["SMCC", e - int(60 + u[1] * 180)])
            return pieces
        if status == CIVIL:
            return [["BSH", s]]
        if status == PRETRIAL:
            return [["MCICJ" if self.open_at("MCICJ", s) else "NCCI", s]]
        reception = "MCICJ" if self.open_at("MCICJ", s) else "MCINOR"
        pieces.append([reception, s])
        t = s + int(30 + u[0] * 60)
        if t < e:
            pieces.append([self.pick_main(t, reception), t])
            if e - t > 730 and u[1] < 0.5:
                t2 = t + int((e - t if e < OPEN else 3000) * (0.3 + 0.4 * u[2]))
                if t2 < min(e, WINDOW_END):
                    pieces.append([self.pick_main(t2, pieces[-1][0]), t2])
            if e < OPEN and e - s > 365 and u[3] < 0.45 and release != REL["TO_COUNTY"]:
                t3 = e - int(120 + u[4] * 180)
                if t3 > pieces[-1][1] + 30:
                    pieces.append([self.PRE_RELEASE[int(u[5] * 4)], t3])
        return pieces

    def closure_moves(self, pieces: list[list], e: int) -> None:
        """Everyone still in a facility that closes moves out shortly before the closing date."""
        k = 0
        while k < len(pieces):
            code, t = pieces[k]
            nxt = pieces[k + 1][1] if k + 1 < len(pieces) else e
            closed = self.info[code].closed
            if closed is not None and t < closed <= nxt:
                move = max(t + 1, closed - int(self.rng.integers(0, 45)))
                pieces.insert(k + 1, [self.pick_main(move, code), move])
            k += 1


def _start_acceptance(days: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Probability that an enrollment starting on `days` happens (pandemic trough)."""
    p = np.ones(len(days))
    for lo, hi, prog, wrk in (
        ("2020-03-16", "2020-05-31", 0.08, 0.5),
        ("2020-06-01", "2020-06-30", 0.3, 0.7),
        ("2020-07-01", "2020-08-31", 0.55, 0.85),
        ("2020-09-01", "2020-12-31", 0.8, 0.95),
        ("2021-01-01", "2021-03-31", 0.9, 1.0),
    ):
        m = (days >= day(lo)) & (days <= day(hi))
        p[m] = np.where(work[m], wrk, prog)
    return p


# How often a program is chosen against the others offered at the same facility (default 1).
PROGRAM_WEIGHT = {
    "EDU_HISET": 3.0,
    "SUD_AA": 2.5,
    "SUD_NA": 2.0,
    "CBT_T4C": 2.0,
    "SUD_CRA": 3.0,
    "WRK_CI": 0.6,
    "WRK_KITCHEN": 2.0,
    "REL_BIBLE": 1.5,
}


@dataclass
class _Offered:
    """The agency's offerings as columns (one entry per offering)."""

    canon: np.ndarray  # canonical program
    category: np.ndarray
    facility: np.ndarray  # facility index
    first_month: np.ndarray
    last_month: np.ndarray
    sex: np.ndarray  # -1 any
    weight: np.ndarray  # PROGRAM_WEIGHT

    @classmethod
    def of(cls, offerings: list[Offering]) -> _Offered:
        programs = canonical_programs()
        canon = np.array([o.canonical for o in offerings])
        return cls(
            canon=canon,
            category=np.array([programs[c].category for c in canon]),
            facility=np.array([facility_index()[o.facility] for o in offerings]),
            first_month=np.array([o.first_month for o in offerings]),
            last_month=np.array([o.last_month for o in offerings]),
            sex=np.array([o.sex for o in offerings]),
            weight=np.array([PROGRAM_WEIGHT.get(programs[c].code, 1.0) for c in canon]),
        )

    def open_to(self, draw: np.ndarray, month: np.ndarray, sex: np.ndarray) -> np.ndarray:
        """Whether each drawn offering is open that month and fits the person's sex."""
        return (
            (self.first_month[draw] <= month)
            & (self.last_month[draw] >= month)
            & ((self.sex[draw] < 0) | (self.sex[draw] == sex))
        )


@dataclass
class _Spells:
    """Enrollment spells while they are simulated (one entry per spell)."""

    seg: np.ndarray  # index into the segments
    start: np.ndarray
    offering: np.ndarray
    status: np.ndarray  # custody status of the segment
    end: np.ndarray | None = None
    exit_code: np.ndarray | None = None
    is_work: np.ndarray | None = None


def simulate(
    agency: str,
    stays: Stays,
    sex: np.ndarray,
    segments: Segments,
    offerings: list[Offering],
    rng: np.random.Generator,
) -> tuple[Enrollments, Referrals]:
    """Enrollments of the agency's people during their custody segments, and the referrals
    that never started. The draws from `rng` happen in a fixed order: the same seed gives the
    same enrollments."""
    offered = _Offered.of(offerings)
    rates = DOC_RATE if agency == STATE_AGENCY else COUNTY_RATE
    seg, start, work = _starts(stays, segments, rates, rng)
    spells = _choose_offerings(seg, start, work, stays, sex, segments, offered, rng)
    _durations_and_exits(spells, offered, rng)
    _censor(spells, stays, segments, offerings, rng)
    idx, stay_idx = _visible_spells(spells, stays, segments)
    enrollments = _enrollments(spells, idx, stay_idx, stays, rng)
    referrals = _unstarted_referrals(spells, idx, stay_idx, stays, sex, offered, rng)
    return enrollments, referrals


def _starts(
    stays: Stays, segments: Segments, rates: dict, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start days of program and work spells in each segment, at the status's rate."""
    seg_status = stays.status[segments.stay]
    lo = np.maximum(segments.start + np.where(seg_status == PRETRIAL, 2, 7), ENROLL_FROM)
    hi = np.minimum(segments.end, WINDOW_END)
    length = np.maximum(hi - lo, 0)
    parts = []
    for klass in ("program", "work"):
        lam = np.array(rates[klass])[seg_status] * length
        n = np.minimum(rng.poisson(lam), 60)
        seg = np.repeat(np.arange(len(lo)), n)
        u = rng.random(len(seg))
        start = lo[seg] + np.floor(u * np.maximum(length[seg], 1)).astype(np.int64)
        parts.append((seg, start, np.full(len(seg), klass == "work")))
    seg = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    work = np.concatenate([p[2] for p in parts])
    keep = rng.random(len(seg)) < _start_acceptance(start, work)
    return seg[keep], start[keep], work[keep]


def _choose_offerings(
    seg: np.ndarray,
    start: np.ndarray,
    work: np.ndarray,
    stays: Stays,
    sex: np.ndarray,
    segments: Segments,
    offered: _Offered,
    rng: np.random.Generator,
) -> _Spells:
    """Offering choice: weighted draw among the facility's offerings, resampled until open
    that month and fitting the person's sex; spells that find none are dropped."""
    n_off = len(offered.canon)
    off_work = offered.category == "WORK"
    offering = np.full(len(seg), -1, dtype=np.int64)
    month = month_index(start)
    status = stays.status[segments.stay][seg]
    fac = segments.facility[seg]
    psex = sex[segments.stay][seg]
    for f in np.unique(fac):
        local = offered.facility == f
        if local.sum() < 3:
            local = np.ones(n_off, dtype=bool)
        for st in range(4):
            for is_work in (False, True):
                rows = np.flatnonzero((fac == f) & (status == st) & (work == is_work))
                if not len(rows):
                    continue
                affinity = CIVIL_AFFINITY if st == 2 else PRETRIAL_AFFINITY
                aff = np.array(
                    [affinity[c] if st in (PRETRIAL, 2) else 1.0 for c in offered.category],
                    dtype=float,
                )
                w = offered.weight * aff * local * (off_work == is_work)
                if w.sum() <= 0:
                    continue
                p = w / w.sum()
                pending = rows
                for _ in range(8):
                    draw = rng.choice(n_off, len(pending), p=p)
                    ok = offered.open_to(draw, month[pending], psex[pending])
                    offering[pending[ok]] = draw[ok]
                    pending = pending[~ok]
                    if not len(pending):
                        break
    keep = offering >= 0
    return _Spells(seg[keep], start[keep], offering[keep], status[keep])


def _durations_and_exits(spells: _Spells, offered: _Offered, rng: np.random.Generator) -> None:
    """Durations from the program's typical length and natural exits by the program's kind;
    pre-trial people attend open groups longer, withdraw more often and complete less."""
    programs = canonical_programs()
    k, status, start = len(spells.seg), spells.status, spells.start
    canon = offered.canon[spells.offering]
    cat = offered.category[spells.offering]
    typical = np.array([programs[c].duration for c in canon], dtype=float)
    open_ended = np.isin(cat, list(OPEN_ENDED)) | np.isin(
        np.array([programs[c].code for c in canon]), list(OPEN_ENDED_CODES)
    )
    is_work = cat == "WORK"
    sigma = np.where(is_work, 0.7, np.where(open_ended, 0.8, 0.3))
    duration = np.maximum(np.round(typical * np.exp(sigma * rng.standard_normal(k))), 1)
    duration *= np.where(status == PRETRIAL, np.where(open_ended, 3.0, 1.5), 1.0)
    klass = np.where(is_work, 2, np.where(open_ended, 1, 0))
    exit_code = np.empty(k, dtype=np.int64)
    for ki, name in enumerate(("structured", "open", "work")):
        m = klass == ki
        mix = np.array(EXIT_MIX[name])
        pick = rng.choice(len(_EXITS), int(m.sum()), p=mix / mix.sum())
        exit_code[m] = np.array([EXIT_INDEX[e] for e in _EXITS])[pick]
    flip = (status == PRETRIAL) & (exit_code == EXIT_INDEX["COMPLETED"]) & (rng.random(k) < 0.15)
    exit_code[flip] = EXIT_INDEX["WITHDREW_REFUSED"]
    early = ~np.isin(exit_code, [EXIT_INDEX["COMPLETED"], EXIT_INDEX["MAX_BENEFIT"]])
    early &= exit_code != EXIT_INDEX["PROGRAM_CHANGE"]
    frac = np.where(early, 0.1 + 0.75 * rng.random(k), 1.0)
    frac = np.where(exit_code == EXIT_INDEX["MAX_BENEFIT"], 0.6 + 0.5 * rng.random(k), frac)
    spells.end = start + np.maximum(np.round(duration * frac), 1).astype(np.int64)
    spells.exit_code = exit_code
    spells.is_work = is_work


def _censor(
    spells: _Spells,
    stays: Stays,
    segments: Segments,
    offerings: list[Offering],
    rng: np.random.Generator,
) -> None:
    """Censoring: program retirement, the pandemic, transfer/release, the window end."""
    assert spells.end is not None and spells.exit_code is not None and spells.is_work is not None
    programs = canonical_programs()
    k, seg, start = len(spells.seg), spells.seg, spells.start
    end, exit_code, offering = spells.end, spells.exit_code, spells.offering
    canon = np.array([o.canonical for o in offerings])[offering]
    retire = np.array(
        [_month_end(o.last_month) if o.last_month < 107 else OPEN for o in offerings]
    )[offering]
    m = retire < end
    end[m] = retire[m]
    exit_code[m] = EXIT_INDEX["PROGRAM_ENDED"]
    suspended = (start < PANDEMIC) & (end > PANDEMIC) & ~spells.is_work
    suspended &= np.array([programs[c].code != "SUD_MAT" for c in canon], dtype=bool)
    suspended &= rng.random(k) < 0.82
    pandemic_end = PANDEMIC - 3 + rng.integers(0, 48, k)
    m = suspended & (pandemic_end < end) & (pandemic_end > start)
    end[m] = pandemic_end[m]
    exit_code[m] = EXIT_INDEX["PROGRAM_ENDED"]
    seg_end = segments.end[seg]
    m = seg_end <= end
    end[m] = seg_end[m]
    kind = segments.kind[seg]
    exit_code[m & (kind == SEG_TRANSFER)] = EXIT_INDEX["TRANSFERRED_FACILITY"]
    exit_code[m & (kind == SEG_RELEASE)] = EXIT_INDEX["RELEASED_FROM_CUSTODY"]
    # Release-day exits of people who died or escaped carry that reason.
    rel = stays.release[segments.stay[seg]]
    exit_code[m & (kind == SEG_RELEASE) & (rel == REL["DIED"])] = EXIT_INDEX["DECEASED"]
    exit_code[m & (kind == SEG_RELEASE) & (rel == REL["ESCAPE"])] = EXIT_INDEX["ESCAPE_ABSCOND"]
    active = end > WINDOW_END
    end[active] = OPEN
    exit_code[active] = -1
    spells.end = np.where(~active, np.maximum(end, start), end)


def _visible_spells(
    spells: _Spells, stays: Stays, segments: Segments
) -> tuple[np.ndarray, np.ndarray]:
    """The spells kept, in order of stay, start and offering (indexes), and every spell's stay:
    no second spell of one person in one program within 60 days of the first ending, and none
    ended before the window."""
    assert spells.end is not None
    start, end, offering = spells.start, spells.end, spells.offering
    stay_idx = segments.stay[spells.seg]
    person_key = stays.person[stay_idx]
    order = np.lexsort((start, offering, person_key))
    keep = np.ones(len(spells.seg), dtype=bool)
    last_person, last_off, last_end = -1, -1, -(10**9)
    for i in order.tolist():
        p, o = int(person_key[i]), int(offering[i])
        if p == last_person and o == last_off and start[i] <= last_end + 60:
            keep[i] = False
            continue
        last_person, last_off, last_end = p, o, int(end[i])
    visible = keep & ((end >= day("2017-01-01")) | (end >= OPEN))
    idx = np.flatnonzero(visible)
    idx = idx[np.lexsort((offering[idx], start[idx], stay_idx[idx]))]
    return idx, stay_idx


def _enrollments(
    spells: _Spells,
    idx: np.ndarray,
    stay_idx: np.ndarray,
    stays: Stays,
    rng: np.random.Generator,
) -> Enrollments:
    """The visible spells, with referrals (events layout: most spells were referred a few days
    before they started) and suspensions."""
    assert spells.end is not None and spells.exit_code is not None
    start, end = spells.start, spells.end
    st = stays.start[stay_idx[idx]]
    referral = start[idx] - rng.integers(1, 22, len(idx))
    referral = np.where((rng.random(len(idx)) < 0.7) & (referral >= st), referral, -1)
    span = np.where(end[idx] >= OPEN, WINDOW_END, end[idx]) - start[idx]
    susp = (rng.random(len(idx)) < 0.05) & (span > 40)
    suspend = np.where(susp, start[idx] + (span * (0.2 + 0.3 * rng.random(len(idx)))), -1)
    resume = np.where(susp, suspend + rng.integers(3, 21, len(idx)), -1)
    return Enrollments(
        stay=stay_idx[idx],
        segment=spells.seg[idx],
        offering=spells.offering[idx],
        start=start[idx],
        end=end[idx],
        exit=spells.exit_code[idx],
        referral=referral.astype(np.int64),
        suspend=suspend.astype(np.int64),
        resume=resume.astype(np.int64),
    )


def _unstarted_referrals(
    spells: _Spells,
    idx: np.ndarray,
    stay_idx: np.ndarray,
    stays: Stays,
    sex: np.ndarray,
    offered: _Offered,
    rng: np.random.Generator,
) -> Referrals:
    """Referrals that never start: about one for every ten enrollments."""
    start = spells.start
    nr = int(len(idx) * 0.1)
    pick = rng.integers(0, len(idx), nr) if len(idx) else np.zeros(0, dtype=np.int64)
    ref_day = np.maximum(
        stays.start[stay_idx[idx][pick]], start[idx][pick] - rng.integers(0, 30, nr)
    )
    other = rng.integers(0, len(offered.canon), nr)
    ok = offered.open_to(other, month_index(ref_day), sex[stay_idx[idx][pick]])
    ok &= ref_day >= day("2017-01-01")
    return Referrals(stay=stay_idx[idx][pick][ok], offering=other[ok], day=ref_day[ok])


def _month_end(month: int) -> int:
    nxt = np.datetime64(FIRST_MONTH + month + 1, "M").astype("datetime64[D]")
    return int(nxt.astype(int)) - 1


def cadence(offerings: list[Offering]) -> np.ndarray:
    programs = canonical_programs()
    per = []
    for o in offerings:
        p = programs[o.canonical]
        c = CADENCE[p.category]
        if p.code in ("SUD_AA", "SUD_NA", "SUD_MAT"):
            c = 2
        if p.code in ("SUD_RSAT", "SUD_CRA", "SUD_PATHWAYS", "WRK_KITCHEN", "WRK_UNIT"):
            c = 7
        if p.code == "VIO_VRP":
            c = 3
        per.append(c)
    return np.array(per, dtype=np.int64)
