"""The statewide world: people and their custody episodes (stays) in every agency.

Everything here is vectorised with numpy over persons and episodes. A person has a home county;
each custody episode is a pre-trial stay, a county sentence, a DOC commitment, a civil or federal
hold, or a chain of these (pre-trial → county sentence, pre-trial → DOC). Re-admissions follow a
release with a probability that falls with age. DOC commitments before 2017 are simulated back to
1980 so that the prison population on 2017-01-01 (lifers included) exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import names as nm
from .dates import from_ymd, ymd
from .reference import (
    AGENCIES,
    AGENCY_INDEX,
    CIVIL,
    FEDERAL,
    PRETRIAL,
    REL,
    SENTENCED,
    SEX,
    STATE_AGENCY,
    STATUSES,
    WINDOW_END,
    WINDOW_START,
    day,
    facility_index,
)

OPEN = WINDOW_END + 100_000  # end day of a stay still open after the window
DOC = AGENCY_INDEX[STATE_AGENCY]
# Agencies that also hold the people of a county with no jail: (agency index, people per year).
HOSTS = [(AGENCY_INDEX[a.code], a.also_holds_per_year) for a in AGENCIES if a.also_holds_per_year]
# Agency index that holds the women of each county that sends them elsewhere.
WOMEN_HELD_BY = {
    AGENCY_INDEX[a.code]: AGENCY_INDEX[a.women_held_by] for a in AGENCIES if a.women_held_by
}

# Calendar-year multipliers of admission volume (2024 = 1.0): somewhat higher in 2017, the
# pandemic trough in 2020, recovery after. Years before 2017 feed stays open on 2017-01-01.
YEAR_TREND = {
    2015: 1.30,
    2016: 1.28,
    2017: 1.25,
    2018: 1.20,
    2019: 1.12,
    2020: 0.78,
    2021: 0.84,
    2022: 0.92,
    2023: 0.97,
    2024: 1.00,
    2025: 1.00,
}
# Episode types of county-start episodes and their probabilities.
EPISODE_TYPES = ("P", "PS", "S", "PD", "D", "C", "F")
EPISODE_P = np.array([0.52, 0.12, 0.22, 0.030, 0.023, 0.03, 0.02])
# First episodes per year relative to a county's admissions (the rest are re-admissions and
# second stays of a pre-trial → sentence chain). Calibrated so that 2024 totals match targets.
FIRST_EPISODE_SHARE = 0.45
DOC_LEGACY_PER_YEAR = 1650  # DOC commitments per year before 2017 (full scale)
LIFER_SHARE = 0.015
# Identity look-alikes (different people the linkage must keep apart), as shares of persons:
# a relative with the same surname (a household), a twin (same surname and birth date, another
# first name), a namesake (same first name, surname and birth date as someone of the same sex).
HOUSEHOLD_SHARE = 0.08
TWIN_SHARE = 0.006
NAMESAKE_SHARE = 0.002


@dataclass
class Persons:
    sex: np.ndarray  # 0 M, 1 F
    origin: np.ndarray  # index into names.ORIGINS
    first: np.ndarray  # object arrays of str
    middle: np.ndarray
    last: np.ndarray
    dob: np.ndarray  # day number
    race: np.ndarray  # index into RACES
    eth: np.ndarray  # index into ETHNICITIES
    sid: np.ndarray  # int64, -1 when the person has none

    def __len__(self) -> int:
        return len(self.sex)


@dataclass
class Stays:
    person: np.ndarray
    agency: np.ndarray
    facility: np.ndarray  # facility index (sheriffs); DOC: reception facility, refined later
    start: np.ndarray
    end: np.ndarray  # OPEN when still in custody after the window
    status: np.ndarray  # PRETRIAL/SENTENCED/CIVIL/FEDERAL
    release: np.ndarray  # index into RELEASE_REASONS, -1 when open
    sending: np.ndarray  # agency index of the sending county (WMRWCC women), else -1
    episode: np.ndarray
    doc_move: np.ndarray  # DOC admission code: 0 ADM, 1 PVA, 2 TRI

    def __len__(self) -> int:
        return len(self.person)

    def take(self, index: np.ndarray) -> Stays:
        return Stays(**{k: v[index] for k, v in self.__dict__.items()})


@dataclass
class World:
    persons: Persons
    stays: Stays
    scale: float


def _years_days(rng, weights: dict[int, float], rate: float) -> np.ndarray:
    """Start days drawn year by year with Poisson counts (rate × multiplier per year)."""
    chunks = []
    for year in sorted(weights):
        n = int(rng.poisson(rate * weights[year]))
        lo, hi = day(f"{year}-01-01"), day(f"{year}-12-31")
        chunks.append(rng.integers(lo, hi + 1, size=n))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


def _lognormal(rng, median: float, sigma: float, n: int, lo: float, hi: float) -> np.ndarray:
    return np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), lo, hi).astype(
        np.int64
    )


def _draw_names(rng, origin: np.ndarray, sex: np.ndarray):
    n = len(origin)
    first = np.empty(n, dtype=object)
    last = np.empty(n, dtype=object)
    race = np.zeros(n, dtype=np.int8)
    eth = np.zeros(n, dtype=np.int8)
    races, eths = "ABIWU", "YNU"
    for o, spec in enumerate(nm.ORIGINS):
        for s, pairs in ((0, spec.male), (1, spec.female)):
            idx = np.flatnonzero((origin == o) & (sex == s))
            if len(idx):
                names, p = nm.weighted(pairs)
                first[idx] = np.array(names, dtype=object)[rng.choice(len(names), len(idx), p=p)]
        idx = np.flatnonzero(origin == o)
        if not len(idx):
            continue
        names, p = nm.weighted(spec.surnames)
        last[idx] = np.array(names, dtype=object)[rng.choice(len(names), len(idx), p=p)]
        mix = np.array([w for _, _, w in spec.race_eth])
        pick = rng.choice(len(mix), len(idx), p=mix / mix.sum())
        race[idx] = np.array([races.index(r) for r, _, _ in spec.race_eth])[pick]
        eth[idx] = np.array([eths.index(e) for _, e, _ in spec.race_eth])[pick]
    middle = np.full(n, "", dtype=object)
    for s, pairs in ((0, nm.MIDDLE_MALE), (1, nm.MIDDLE_FEMALE)):
        idx = np.flatnonzero((sex == s) & (rng.random(n) < 0.62))
        names, p = nm.weighted(pairs)
        middle[idx] = np.array(names, dtype=object)[rng.choice(len(names), len(idx), p=p)]
    # Hispanic people often carry no middle name but a second given name; keep it simple.
    return first, middle, last, race, eth


def _look_alikes(persons: Persons, rng: np.random.Generator) -> None:
    """Give some persons a relative's surname, a twin, or a namesake born the same day.

    Partners are neighbours in birth-date order (of the same origin, or the same sex for
    namesakes), so that copied birth dates move by days and ages stay plausible. Draws from
    its own generator: the rest of the world is the same with or without look-alikes.
    """
    n = len(persons)
    if n < 3:
        return
    by_origin = np.lexsort((persons.dob, persons.origin))
    by_sex = np.lexsort((persons.dob, persons.sex))
    for share, order, copies in (
        (HOUSEHOLD_SHARE, by_origin, ("last",)),
        (TWIN_SHARE, by_origin, ("last", "dob")),
        (NAMESAKE_SHARE, by_sex, ("first", "last", "dob")),
    ):
        picks = np.flatnonzero(rng.random(n - 1) < share)
        target, partner = order[picks], order[picks + 1]
        keep = persons.origin[target] == persons.origin[partner]
        if "first" in copies:
            keep = persons.sex[target] == persons.sex[partner]
        for name in copies:
            values = getattr(persons, name)
            values[target[keep]] = values[partner[keep]]


def _unique_sids(rng, n: int) -> np.ndarray:
    sids = np.zeros(0, dtype=np.int64)
    while len(sids) < n:
        extra = rng.integers(100_000_000, 999_999_999, size=int((n - len(sids)) * 1.1) + 10)
        sids = np.concatenate([sids, extra])
        _, first_idx = np.unique(sids, return_index=True)
        sids = sids[np.sort(first_idx)]
    return sids[:n]


def _sheriff_facility(agency: np.ndarray, status: np.ndarray, sex: np.ndarray, start, rng):
    """Facility of each county stay from agency, custody status and sex: the first of the
    agency's facility rules (its sources YAML, meta.generate.facilities) that the stay meets."""
    fx = facility_index()
    out = np.full(len(agency), -1, dtype=np.int32)
    u = rng.random(len(agency))
    for profile in AGENCIES:
        if not profile.facilities:
            continue
        a = agency == AGENCY_INDEX[profile.code]
        chosen = np.full(int(a.sum()), -1, dtype=np.int32)
        for rule in reversed(profile.facilities):  # the first rule that matches wins
            match = np.ones(len(chosen), dtype=bool)
            if rule.status:
                match &= status[a] == STATUSES.index(rule.status)
            if rule.sex:
                match &= sex[a] == SEX.index(rule.sex)
            if rule.share is not None:
                match &= u[a] < rule.share
            if rule.from_date:
                match &= start[a] >= day(rule.from_date)
            chosen = np.where(match, fx[rule.facility], chosen)
        out[a] = chosen
    return out


def build_world(scale: float, rng: np.random.Generator) -> World:
    """Simulate persons and stays for all agencies at `scale` (1.0 = full).

    The draws from `rng` happen in a fixed order (first episodes, persons, episode levels,
    facilities): the same seed gives the same world.
    """
    first = _first_episodes(scale, rng)
    persons = _draw_persons(rng, first)
    columns = _StayColumns()
    level = _Level.first(first)
    for _round in range(40):
        if not len(level.person):
            break
        level = _simulate_level(level, first, persons, columns, rng)
    stays = _visible_stays(columns.stays(), persons, rng)
    return _renumber_persons(persons, stays, scale)


@dataclass
class _FirstEpisodes:
    """Every person's first episode: home county (agency index, -2 Nantucket), start day, and
    whether it is a DOC commitment from before the window (legacy)."""

    home: np.ndarray
    start: np.ndarray
    is_legacy: np.ndarray
    sheriff_index: np.ndarray  # agency index of every sheriff, in AGENCIES order
    sheriff_weights: np.ndarray  # their admissions: where people come from and get booked


def _first_episodes(scale: float, rng: np.random.Generator) -> _FirstEpisodes:
    """County-start persons per sheriff, Nantucket people, and legacy DOC commitments."""
    sheriff_codes = [a.code for a in AGENCIES if not a.is_state]
    homes, starts = [], []
    for code in sheriff_codes:
        agency = AGENCIES[AGENCY_INDEX[code]]
        rate = max(agency.admissions * scale * FIRST_EPISODE_SHARE, 3.0)
        s = _years_days(rng, YEAR_TREND, rate)
        homes.append(np.full(len(s), AGENCY_INDEX[code]))
        starts.append(s)
    for host, (_, per_year) in enumerate(HOSTS):  # people of a county with no jail
        s = _years_days(rng, YEAR_TREND, max(per_year * scale, 0.5))
        homes.append(np.full(len(s), -2 - host))
        starts.append(s)
    legacy_years = {y: 1.0 for y in range(1980, 2017)}
    s = _years_days(rng, legacy_years, max(DOC_LEGACY_PER_YEAR * scale, 12.0))
    # Home counties of legacy DOC people drawn in proportion to county admissions.
    weights = np.array([AGENCIES[AGENCY_INDEX[c]].admissions for c in sheriff_codes], float)
    sheriff_index = np.array([AGENCY_INDEX[c] for c in sheriff_codes])
    legacy_home = sheriff_index[rng.choice(len(weights), len(s), p=weights / weights.sum())]
    homes.append(legacy_home)
    starts.append(s)
    home = np.concatenate(homes).astype(np.int32)
    is_legacy = np.zeros(len(home), dtype=bool)
    is_legacy[len(home) - len(s) :] = True
    start = np.concatenate(starts).astype(np.int64)
    return _FirstEpisodes(home, start, is_legacy, sheriff_index, weights)


def _draw_persons(rng: np.random.Generator, first: _FirstEpisodes) -> Persons:
    """Sex, origin, names, birth date and SID of every person, then the look-alikes."""
    n = len(first.home)
    sex = (rng.random(n) < np.where(first.is_legacy, 0.05, 0.105)).astype(np.int8)
    ow = np.array([o.weight for o in nm.ORIGINS])
    origin = rng.choice(len(ow), n, p=ow / ow.sum()).astype(np.int16)
    first_name, middle, last, race, eth = _draw_names(rng, origin, sex)
    age_years = 18 + rng.gamma(2.0, 8.5, n)
    age_years = np.minimum(age_years, 72)
    dob = first.start - np.round(age_years * 365.25).astype(np.int64)
    sid = np.where(rng.random(n) < 0.86, _unique_sids(rng, n), -1)
    persons = Persons(sex, origin, first_name, middle, last, dob, race, eth, sid)
    _look_alikes(persons, np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0]))
    return persons


class _StayColumns:
    """The stays simulated so far, as lists of column arrays appended level by level."""

    NAMES = ("person", "agency", "start", "end", "status", "release", "sending", "ep", "doc_move")

    def __init__(self) -> None:
        self.columns: dict[str, list[np.ndarray]] = {name: [] for name in self.NAMES}

    def add(self, p, agency, st, en, status, release, sending, ep, move=None) -> None:
        k = len(p)
        cols = self.columns
        cols["person"].append(p)
        cols["agency"].append(agency)
        cols["start"].append(st)
        cols["end"].append(en)
        cols["status"].append(np.broadcast_to(status, k).astype(np.int8))
        cols["release"].append(release.astype(np.int8))
        cols["sending"].append(sending.astype(np.int32))
        cols["ep"].append(ep)
        cols["doc_move"].append(
            np.zeros(k, np.int8) if move is None else np.broadcast_to(move, k).astype(np.int8)
        )

    def stays(self) -> Stays:
        cols = self.columns
        return Stays(
            person=np.concatenate(cols["person"]).astype(np.int64),
            agency=np.concatenate(cols["agency"]).astype(np.int32),
            facility=np.zeros(sum(len(x) for x in cols["person"]), np.int32),
            start=np.concatenate(cols["start"]).astype(np.int64),
            end=np.concatenate(cols["end"]).astype(np.int64),
            status=np.concatenate(cols["status"]),
            release=np.concatenate(cols["release"]),
            sending=np.concatenate(cols["sending"]),
            episode=np.concatenate(cols["ep"]).astype(np.int64),
            doc_move=np.concatenate(cols["doc_move"]),
        )


@dataclass
class _Level:
    """The episodes starting at one level: who, when, and what the previous one left behind."""

    person: np.ndarray
    start: np.ndarray
    forced_doc: np.ndarray  # legacy DOC commitments
    after_parole: np.ndarray  # the previous episode ended with a DOC parole
    episode_counter: int

    @classmethod
    def first(cls, first: _FirstEpisodes) -> _Level:
        n = len(first.home)
        return cls(np.arange(n), first.start.copy(), first.is_legacy.copy(), np.zeros(n, bool), 0)


@dataclass
class _Episodes:
    """One level's episodes while they are simulated (one entry per episode)."""

    person: np.ndarray
    start: np.ndarray
    ep: np.ndarray
    psex: np.ndarray
    etype: np.ndarray  # index into EPISODE_TYPES
    county: np.ndarray  # agency of the booking
    sending: np.ndarray
    end: np.ndarray
    died: np.ndarray
    doc_release: np.ndarray
    e_pre: np.ndarray | None = None  # end of the pre-trial stay of a chain


def _simulate_level(
    level: _Level,
    first: _FirstEpisodes,
    persons: Persons,
    columns: _StayColumns,
    rng: np.random.Generator,
) -> _Level:
    """Simulate one episode for each person of `level`; return the next level (re-admissions)."""
    episodes = _book(level, first, persons, rng)
    _county_stays(episodes, columns, rng)
    _holds(episodes, columns, rng)
    _doc_commitments(episodes, level, columns, rng)
    return _readmissions(episodes, persons, rng)


def _book(
    level: _Level, first: _FirstEpisodes, persons: Persons, rng: np.random.Generator
) -> _Episodes:
    """Episode type and booking county: home county, Nantucket → Barnstable, sometimes another
    county; women of the WMRWCC counties go to Hampden."""
    person, k = level.person, len(level.person)
    ep = np.arange(level.episode_counter, level.episode_counter + k)
    psex = persons.sex[person]
    phome = first.home[person]
    etype = rng.choice(len(EPISODE_TYPES), k, p=EPISODE_P / EPISODE_P.sum())
    etype = np.where(level.forced_doc, 4, etype)
    # Parole violators mostly come back to DOC.
    etype = np.where(level.after_parole & (rng.random(k) < 0.45), 4, etype)
    county = phome
    for host, (host_index, _) in enumerate(HOSTS):
        county = np.where(phome == -2 - host, host_index, county)
    elsewhere = rng.random(k) < 0.05
    weights = first.sheriff_weights
    other = first.sheriff_index[rng.choice(len(weights), k, p=weights / weights.sum())]
    county = np.where(elsewhere, other, county)
    sending = np.full(k, -1, dtype=np.int32)
    for receiver in sorted(set(WOMEN_HELD_BY.values())):
        senders = [s for s, r in WOMEN_HELD_BY.items() if r == receiver]
        wm = np.isin(county, senders) & (psex == 1)
        sending[wm] = county[wm]
        county = np.where(wm, receiver, county)
    return _Episodes(
        person=person,
        start=level.start,
        ep=ep,
        psex=psex,
        etype=etype,
        county=county,
        sending=sending,
        end=np.full(k, OPEN, dtype=np.int64),
        died=np.zeros(k, dtype=bool),
        doc_release=np.full(k, -1, dtype=np.int8),
    )


def _county_stays(e: _Episodes, columns: _StayColumns, rng: np.random.Generator) -> None:
    """Pre-trial stays (types P, PS, PD) and county sentences (PS second stay, S)."""
    k, etype, start = len(e.person), e.etype, e.start
    pre_short = _lognormal(rng, 8, 1.5, k, 1, 720)
    pre_long = _lognormal(rng, 70, 1.0, k, 2, 900)
    u = rng.random(k)
    m = etype == 0
    rel = np.where(u < 0.5, REL["BAIL"], REL["COURT"])
    rel = np.where(u > 0.995, REL["DIED"], rel)
    rel = np.where((u > 0.985) & (u <= 0.995), REL["TO_COUNTY"], rel)
    end = start + pre_short
    columns.add(e.person[m], e.county[m], start[m], end[m], PRETRIAL, rel[m], e.sending[m], e.ep[m])
    e.end[m] = end[m]
    e.died |= m & (rel == REL["DIED"])
    chain = (etype == 1) | (etype == 3)
    e.e_pre = start + pre_long
    rel = np.where(etype == 1, REL["STATUS_CHANGE"], REL["TO_DOC"])
    columns.add(
        e.person[chain],
        e.county[chain],
        start[chain],
        e.e_pre[chain],
        PRETRIAL,
        rel[chain],
        e.sending[chain],
        e.ep[chain],
    )
    sent = (etype == 1) | (etype == 2)
    s_start = np.where(etype == 1, e.e_pre, start)
    s_len = _lognormal(rng, 170, 0.85, k, 7, 912)
    u = rng.random(k)
    rel = np.select(
        [u < 0.70, u < 0.92, u < 0.978, u < 0.991, u < 0.995],
        [REL["EXPIRED"], REL["PAROLE"], REL["COURT"], REL["TO_DOC"], REL["ESCAPE"]],
        REL["DIED"],
    )
    end = s_start + s_len
    columns.add(
        e.person[sent],
        e.county[sent],
        s_start[sent],
        end[sent],
        SENTENCED,
        rel[sent],
        e.sending[sent],
        e.ep[sent],
    )
    e.end[sent] = end[sent]
    e.died |= sent & (rel == REL["DIED"])


def _holds(e: _Episodes, columns: _StayColumns, rng: np.random.Generator) -> None:
    """Civil and federal holds at the county; a quarter of men's civil commitments go to
    Bridgewater State Hospital (DOC)."""
    k = len(e.person)
    for code, status, length in (
        (5, CIVIL, rng.integers(14, 91, k)),
        (6, FEDERAL, _lognormal(rng, 40, 0.9, k, 2, 600)),
    ):
        m = e.etype == code
        u = rng.random(k)
        rel = np.where(u < 0.6, REL["COURT"], REL["EXPIRED"])
        if status == FEDERAL:
            rel = np.where(u < 0.7, REL["TO_COUNTY"], REL["COURT"])
        end = e.start + length
        where = e.county.copy()
        if status == CIVIL:
            where = np.where((e.psex == 0) & (rng.random(k) < 0.25), DOC, e.county)
        send = np.where(where == DOC, -1, e.sending)
        columns.add(e.person[m], where[m], e.start[m], end[m], status, rel[m], send[m], e.ep[m])
        e.end[m] = end[m]


def _doc_commitments(
    e: _Episodes, level: _Level, columns: _StayColumns, rng: np.random.Generator
) -> None:
    """DOC commitments (types PD after the pre-trial stay, D): parole violators, lifers, and
    awaiting-trial commitments that end with a new (sentenced) commitment number."""
    k, etype = len(e.person), e.etype
    docm = (etype == 3) | (etype == 4)
    d_start = np.where(etype == 3, e.e_pre, e.start)
    pva = (etype == 4) & level.after_parole & ~level.forced_doc
    d_len = _lognormal(rng, 900, 0.75, k, 180, 15000)
    d_len = np.where(pva, _lognormal(rng, 240, 0.6, k, 30, 1500), d_len)
    awt = (etype == 4) & ~pva & (rng.random(k) < 0.03)
    lifer = docm & ~pva & (rng.random(k) < LIFER_SHARE)
    u = rng.random(k)
    rel = np.select(
        [u < 0.55, u < 0.95, u < 0.978, u < 0.99, u < 0.991],
        [REL["EXPIRED"], REL["PAROLE"], REL["COURT"], REL["DIED"], REL["ESCAPE"]],
        REL["TO_COUNTY"],
    )
    awt_len = _lognormal(rng, 200, 0.8, k, 10, 900)
    m = docm & awt
    columns.add(
        e.person[m],
        np.full(m.sum(), DOC),
        d_start[m],
        d_start[m] + awt_len[m],
        PRETRIAL,
        np.full(m.sum(), REL["STATUS_CHANGE"]),
        np.full(m.sum(), -1),
        e.ep[m],
        0,
    )
    d_start = np.where(awt, d_start + awt_len, d_start)
    end = np.where(lifer, OPEN, d_start + d_len)
    move = np.where(pva, 1, np.where((etype == 3) & (rng.random(k) < 0.04), 2, 0))
    columns.add(
        e.person[docm],
        np.full(docm.sum(), DOC),
        d_start[docm],
        end[docm],
        SENTENCED,
        np.where(lifer, -1, rel)[docm],
        np.full(docm.sum(), -1),
        e.ep[docm],
        move[docm],
    )
    e.end[docm] = end[docm]
    e.doc_release[docm] = rel[docm]
    e.died |= docm & (rel == REL["DIED"])


def _readmissions(e: _Episodes, persons: Persons, rng: np.random.Generator) -> _Level:
    """Who comes back after a release (less likely with age) and when: the next level."""
    k = len(e.person)
    age = (e.end - persons.dob[e.person]) / 365.25
    p_return = np.clip(0.62 - 0.008 * (age - 25), 0.2, 0.62)
    again = (rng.random(k) < p_return) & ~e.died & (e.end < OPEN)
    gap = _lognormal(rng, 240, 1.0, k, 3, 6000)
    nxt = e.end + gap
    again &= nxt <= WINDOW_END
    person = e.person[again]
    return _Level(
        person=person,
        start=nxt[again],
        forced_doc=np.zeros(len(person), dtype=bool),
        after_parole=(e.doc_release == REL["PAROLE"])[again],
        episode_counter=int(e.ep[-1]) + 1,  # a level is simulated only when it has episodes
    )


def _visible_stays(stays: Stays, persons: Persons, rng: np.random.Generator) -> Stays:
    """The stays seen in the window, in order of agency, start and episode, with facilities.
    Dukes records only pre-trial and sentenced people."""
    for profile in AGENCIES:
        if profile.statuses_recorded:
            recorded = [STATUSES.index(s) for s in profile.statuses_recorded]
            unrecorded = (stays.agency == AGENCY_INDEX[profile.code]) & ~np.isin(
                stays.status, recorded
            )
            stays.status[unrecorded] = PRETRIAL
    stays.end = np.where(stays.end > WINDOW_END, OPEN, stays.end)
    stays.release = np.where(stays.end == OPEN, -1, stays.release).astype(np.int8)
    visible = (stays.end >= WINDOW_START) & (stays.start <= WINDOW_END)
    stays = stays.take(np.flatnonzero(visible))
    order = np.lexsort((stays.episode, stays.start, stays.agency))
    stays = stays.take(order)
    stays.facility = _sheriff_facility(
        stays.agency, stays.status, persons.sex[stays.person], stays.start, rng
    )
    return stays


def _renumber_persons(persons: Persons, stays: Stays, scale: float) -> World:
    """Keep only persons with a visible stay, renumbered in order of first appearance."""
    n = len(persons)
    used = np.unique(stays.person)
    remap = np.full(n, -1, dtype=np.int64)
    first_seen = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, stays.person, stays.start)
    order = used[np.lexsort((used, first_seen[used]))]
    remap[order] = np.arange(len(order))
    persons = Persons(**{k: v[order] for k, v in persons.__dict__.items()})
    stays.person = remap[stays.person]
    return World(persons=persons, stays=stays, scale=scale)


def shift_years(days: np.ndarray, years: int) -> np.ndarray:
    y, m, d = ymd(days)
    return from_ymd(y + years, m, d)
