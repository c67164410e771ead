"""Agency program catalogs: each agency's own names for the canonical programs.

A catalog entry ("offering") is one program code of one agency at one facility. Its name is
derived from the canonical name or one of its aliases by the edits agencies make: case,
punctuation, abbreviations, one-letter typos, token reordering and site/unit/cohort qualifiers.
Offerings open and close over the window, and some are renamed. About 1% carry a local name that
cannot be derived from the catalog (recorded as such in the truth).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import names as nm
from .dates import month_index
from .reference import (
    AGENCIES,
    CATEGORIES,
    DOC_V2_MONTH,
    N_MONTHS,
    STATE_AGENCY,
    CanonicalProgram,
    canonical_programs,
    facilities,
)

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "Management": ("Mgmt", "Mgt"),
    "Education": ("Ed", "Educ"),
    "Program": ("Prog", "Pgm"),
    "Prevention": ("Prev",),
    "Treatment": ("Trtmt", "Tx"),
    "Group": ("Grp",),
    "and": ("&",),
    "Services": ("Svcs",),
    "Training": ("Trng",),
    "Vocational": ("Voc",),
    "Counseling": ("Counsel",),
    "Assistance": ("Asst",),
    "Substance": ("Subst",),
    "Recovery": ("Rcvry",),
    "Behavioral": ("Behav",),
    "Behavior": ("Behav",),
    "Cognitive": ("Cog",),
    "Interventions": ("Interv",),
    "Intervention": ("Interv",),
    "Correctional": ("Corr",),
    "Certification": ("Cert",),
    "Construction": ("Const",),
    "Maintenance": ("Maint",),
    "Preparation": ("Prep",),
    "Assignment": ("Assign",),
    "Technology": ("Tech",),
    "Apprenticeship": ("Apprent",),
    "Development": ("Dev",),
    "Medication": ("Med",),
    "Community": ("Comm",),
    "Enrollment": ("Enroll",),
    "Mindfulness": ("Mindful",),
}
# Site words agencies add to program names, from each agency's sources YAML.
SITE_WORDS = {a.code: a.sites for a in AGENCIES}
ROMAN = ("I", "II", "III")
LOCAL_NAMES = (
    "Project Hope",
    "Operation Turnaround",
    "Fresh Start",
    "New Beginnings",
    "Second Chance Circle",
    "Pathfinders",
    "STRIVE",
    "Phoenix Rising",
    "Keys to Success",
    "Men of Honor",
    "Bridges Out",
    "Crossroads",
    "Rise Up",
    "Open Door",
    "Harbor Lights",
    "The Turning Point",
    "Beacon Group",
    "Stepping Stones",
    "Common Ground",
    "Lighthouse",
)
LOCAL_CATEGORIES = {"MENTORSHIP", "REENTRY", "LIFE_SKILLS_WELLNESS", "COGNITIVE_BEHAVIORAL"}
# Relative popularity of categories in catalogs and in enrollments.
CATEGORY_WEIGHT = {
    "EDUCATION": 1.4,
    "VOCATIONAL": 1.0,
    "WORK": 1.2,
    "SUBSTANCE_USE": 1.6,
    "BEHAVIORAL_HEALTH": 0.8,
    "COGNITIVE_BEHAVIORAL": 0.9,
    "VIOLENCE_ANGER": 0.7,
    "REENTRY": 0.9,
    "FAMILY_PARENTING": 0.6,
    "LIFE_SKILLS_WELLNESS": 0.8,
    "MENTORSHIP": 0.5,
    "RELIGIOUS": 0.9,
    "COMMUNITY_REINVESTMENT": 0.4,
}
DOC_ONLY = {"WRK_CI", "SUD_CRA", "SUD_PATHWAYS", "MEN_LIFERS", "VIO_VRP"}
SHERIFF_ONLY = {"WRK_RELEASE", "SUD_DUI"}
# Agency words for program categories: three vocabularies (full words, PSI super-categories,
# short codes); each agency uses one.
TYPE_WORDS = {
    "words": {
        "EDUCATION": "Education",
        "VOCATIONAL": "Vocational",
        "WORK": "Work Assignment",
        "SUBSTANCE_USE": "Substance Abuse",
        "BEHAVIORAL_HEALTH": "Mental Health",
        "COGNITIVE_BEHAVIORAL": "Cognitive Behavioral",
        "VIOLENCE_ANGER": "Violence Prevention",
        "REENTRY": "Reentry",
        "FAMILY_PARENTING": "Family",
        "LIFE_SKILLS_WELLNESS": "Life Skills",
        "MENTORSHIP": "Mentoring",
        "RELIGIOUS": "Religious",
        "COMMUNITY_REINVESTMENT": "Community Service",
    },
    "psi": {
        "EDUCATION": "Educational/Vocational",
        "VOCATIONAL": "Educational/Vocational",
        "WORK": "Educational/Vocational",
        "SUBSTANCE_USE": "Behavioral Health/Substance Use",
        "BEHAVIORAL_HEALTH": "Behavioral Health/Substance Use",
        "COGNITIVE_BEHAVIORAL": "Behavioral Health/Substance Use",
        "VIOLENCE_ANGER": "Behavioral Health/Substance Use",
        "REENTRY": "Support/Mentorship",
        "FAMILY_PARENTING": "Support/Mentorship",
        "LIFE_SKILLS_WELLNESS": "Support/Mentorship",
        "MENTORSHIP": "Support/Mentorship",
        "RELIGIOUS": "Religious/Spiritual",
        "COMMUNITY_REINVESTMENT": "Community Reinvestment",
    },
    "codes": {
        "EDUCATION": "EDU",
        "VOCATIONAL": "VOC",
        "WORK": "WRK",
        "SUBSTANCE_USE": "SA",
        "BEHAVIORAL_HEALTH": "MH",
        "COGNITIVE_BEHAVIORAL": "CBT",
        "VIOLENCE_ANGER": "VIO",
        "REENTRY": "RE",
        "FAMILY_PARENTING": "FAM",
        "LIFE_SKILLS_WELLNESS": "LS",
        "MENTORSHIP": "MEN",
        "RELIGIOUS": "REL",
        "COMMUNITY_REINVESTMENT": "CS",
    },
}


@dataclass
class AgencyStyle:
    case: str  # title | upper | mixed
    type_vocab: str
    code_prefix: str
    code_width: int
    code_start: int


# Each agency's catalog style, from its sources YAML (meta.generate.catalog).
STYLES: dict[str, AgencyStyle] = {
    a.code: AgencyStyle(
        case=str(a.catalog["case"]),
        type_vocab=str(a.catalog["types"]),
        code_prefix=str(a.catalog["code_prefix"]),
        code_width=int(a.catalog["code_width"]),
        code_start=int(a.catalog["code_start"]),
    )
    for a in AGENCIES
}


@dataclass
class Offering:
    code: str
    canonical: int  # index into canonical_programs()
    facility: str
    sex: int  # -1 any, 0 men, 1 women
    first_month: int  # month index, inclusive
    last_month: int  # inclusive
    versions: list[tuple[int, str]] = field(default_factory=list)  # (from month, name)
    is_local: bool = False
    type_word: str = ""

    def name_at(self, month: int) -> str:
        name = self.versions[0][1]
        for start, text in self.versions:
            if start <= month:
                name = text
        return name


def _case(text: str, case: str, rng) -> str:
    if case == "upper":
        return text.upper()
    if case == "mixed":
        u = rng.random()
        if u < 0.25:
            return text.upper()
        if u < 0.32:
            return text.lower()
    return text


def _abbreviate(words: list[str], rng, share: float) -> list[str]:
    out = []
    for word in words:
        options = ABBREVIATIONS.get(word)
        if options and rng.random() < share:
            out.append(options[int(rng.integers(len(options)))])
        else:
            out.append(word)
    return out


PHRASES = {"Mental Health": "MH", "High School": "HS", "Second Offender": "2nd Offender"}


def variant(base: str, rng, agency: str, qualifier: str = "") -> str:
    """A realistic agency rendering of a canonical name or alias."""
    for phrase, short in PHRASES.items():
        if phrase in base and rng.random() < 0.3:
            base = base.replace(phrase, short)
    words = base.split()
    if len(words) > 1 and rng.random() < 0.45:
        words = _abbreviate(words, rng, 0.7)
    if len(words) == 2 and rng.random() < 0.06:
        words = [words[1] + ",", words[0]]  # "Management, Anger"
    elif len(words) > 2 and rng.random() < 0.04:
        words = words[1:] + words[:1]
    if rng.random() < 0.07:
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = long_words[int(rng.integers(len(long_words)))]
            words[i] = nm.typo(words[i], rng)
    text = " ".join(words)
    if rng.random() < 0.05:
        text = text.replace("-", " ")
    if rng.random() < 0.08:
        text = text + " Program" if "Program" not in text else text
    return text + qualifier


def _qualifier(rng, agency: str, kind: int, n: int) -> str:
    """Distinguishing suffix for the n-th offering of the same program at an agency."""
    site = SITE_WORDS[agency][int(rng.integers(len(SITE_WORDS[agency])))]
    options = (
        f" - Unit {'ABCDEFGH'[n % 8]}",
        f" Cohort {n + 1}",
        f" @ {site}",
        f" Phase {ROMAN[n % 3]}",
        f" - {site}",
        f" Level {n % 3 + 1}",
        " - Spanish" if n % 2 else " (Spanish)",
        f" Block {n + 2}",
        " - PM" if n % 2 else " - AM",
    )
    return options[kind % len(options)]


def _popularity(program: CanonicalProgram) -> float:
    weight = CATEGORY_WEIGHT[program.category]
    bonus = {
        "EDU_HISET": 3.0,
        "SUD_AA": 2.0,
        "SUD_NA": 1.8,
        "SUD_MAT": 1.5,
        "CBT_T4C": 2.0,
        "VIO_ANGER": 1.5,
        "REL_BIBLE": 1.4,
        "WRK_KITCHEN": 2.0,
        "WRK_UNIT": 1.8,
        "WRK_CI": 1.0,
        "REE_PLANNING": 1.5,
        "LSW_LIFE_SKILLS": 1.3,
        "SUD_CRA": 2.5,
    }
    return weight * bonus.get(program.code, 1.0)


def build_catalog(agency: str, size: int, rng: np.random.Generator) -> list[Offering]:
    """The agency's offerings over the window, `size` program codes in all.

    The draws from `rng` happen in a fixed order (programs, then offering by offering its
    facility, sex and qualifier, months, code and names): the same seed gives the same catalog.
    """
    programs = canonical_programs()
    style = STYLES[agency]
    facs = [f for f in facilities() if f.agency == agency]
    picks, core = _programs_offered(agency, size, programs, rng)
    fac_weights = np.array([_facility_weight(f.kind, f.code) for f in facs])
    seen: dict[int, int] = {}
    offerings: list[Offering] = []
    names_used: set[str] = set()
    for serial, canon in enumerate(picks):
        program = programs[canon]
        is_core = serial < core
        fac = _facility_of(program, facs, fac_weights, is_core, rng)
        count = seen.get(canon, 0)
        seen[canon] = count + 1
        sex, qualifier = _sex_and_qualifier(fac, agency, count, rng)
        first, last = _months_offered(fac, is_core, rng)
        # Local names ("Project Hope") stand for support, reentry and thinking programs only.
        is_local = program.category in LOCAL_CATEGORIES and rng.random() < 0.04
        number = style.code_start + serial * 3 + int(rng.integers(3))
        offering = Offering(
            code=f"{style.code_prefix}{number:0{style.code_width}d}",
            canonical=canon,
            facility=fac.code,
            sex=sex,
            first_month=first,
            last_month=last,
            is_local=is_local,
            type_word=_type_word(program.category, style.type_vocab, rng),
        )
        _name_offering(offering, program, agency, qualifier, names_used, rng)
        offerings.append(offering)
    return offerings


def _programs_offered(agency: str, size: int, programs, rng) -> tuple[list[int], int]:
    """The canonical programs offered (indexes, one per offering) and how many of the first
    are the core every agency offers (DOC: with its flagship programs)."""
    eligible = [
        i
        for i, p in enumerate(programs)
        if not (agency != STATE_AGENCY and p.code in DOC_ONLY)
        and not (agency == STATE_AGENCY and p.code in SHERIFF_ONLY)
    ]
    # DOC's flagship programs are single, agency-wide offerings (added below as the core).
    weights = np.array(
        [
            _popularity(programs[i]) * (0.1 if agency == STATE_AGENCY and _doc(i) else 1.0)
            for i in eligible
        ]
    )
    # Every agency offers a core of common programs, the rest is drawn by popularity.
    core = [
        i for i in eligible if programs[i].code in _CORE or (agency == STATE_AGENCY and _doc(i))
    ]
    picks = list(core[:size])
    if len(picks) < size:
        extra = rng.choice(eligible, size - len(picks), p=weights / weights.sum())
        picks.extend(int(x) for x in extra)
    return picks, len(core)


def _facility_of(program, facs, fac_weights, is_core: bool, rng):
    fac = facs[int(rng.choice(len(facs), p=fac_weights / fac_weights.sum()))]
    if is_core and fac.closed is not None:  # flagship programs outlive closures
        fac = next(f for f in facs if f.closed is None and f.kind == fac.kind)
    if program.code == "SUD_PATHWAYS":
        fac = next(f for f in facs if f.code == "MCIFRA")
    if program.code == "WRK_RELEASE":
        pre = [f for f in facs if f.kind == "PRE_RELEASE"]
        fac = pre[0] if pre else fac
    return fac


def _sex_and_qualifier(fac, agency: str, count: int, rng) -> tuple[int, str]:
    """Who the offering is for (-1 anyone, 0 men, 1 women) and what its name adds for it."""
    qualifier = ""
    sex = -1
    if fac.kind == "WOMENS_CENTER" or "Women" in fac.name:  # also a women's pre-release
        sex = 1
        if rng.random() < 0.3:
            qualifier = " (Women)" if rng.random() < 0.6 else " - Women"
    elif fac.kind in ("PRISON", "HOUSE_OF_CORRECTION") and rng.random() < 0.04:
        qualifier, sex = " (Men)", 0
    if count or rng.random() < 0.12:
        qualifier += _qualifier(rng, agency, int(rng.integers(9)), count)
    return sex, qualifier


def _months_offered(fac, is_core: bool, rng) -> tuple[int, int]:
    """The first and last month of the offering, within the facility's opening."""
    first = 0 if rng.random() < 0.7 else int(rng.integers(1, N_MONTHS - 6))
    if is_core:
        first = 0
    if fac.opened is not None:
        first = max(first, _month_of_day(fac.opened))
    last = N_MONTHS - 1
    if rng.random() < 0.22 and not is_core:
        last = int(rng.integers(min(first + 6, N_MONTHS - 1), N_MONTHS))
    if fac.closed is not None:
        closing = _month_of_day(fac.closed)
        if first > closing - 6:
            first = int(rng.integers(0, max(1, closing - 6)))
        last = min(last, closing)
    return first, last


def _name_offering(offering: Offering, program, agency: str, qualifier: str, names_used, rng):
    """The offering's names over time: its first name, a rename some time after opening
    (same code), and DOC's vendor changes."""
    style = STYLES[agency]
    first, last = offering.first_month, offering.last_month
    if offering.is_local:
        base = LOCAL_NAMES[int(rng.integers(len(LOCAL_NAMES)))]
        name = _case(base + qualifier, style.case, rng)
    else:
        name = _distinct_variant(program, rng, agency, qualifier, style.case)
    name = _unique(name, names_used, rng, agency)
    offering.versions.append((first, name))
    if last - first > 12 and rng.random() < 0.2:
        when = int(rng.integers(first + 6, last))
        renamed = _distinct_variant(program, rng, agency, qualifier, style.case)
        if not offering.is_local:
            offering.versions.append((when, _unique(renamed, names_used, rng, agency)))
    if agency == STATE_AGENCY:
        _doc_vendor_change(offering, names_used, rng)


_CORE = {"EDU_HISET", "SUD_AA", "SUD_NA", "REL_BIBLE", "WRK_KITCHEN", "REE_PLANNING"}
_DOC_CORE = {"WRK_CI", "SUD_CRA", "CBT_T4C", "VIO_VRP", "SUD_PATHWAYS"}


def _doc(index: int) -> bool:
    return canonical_programs()[index].code in _DOC_CORE


def _facility_weight(kind: str, code: str) -> float:
    return {
        "PRISON": 3.0,
        "HOUSE_OF_CORRECTION": 4.0,
        "JAIL": 1.5,
        "PRE_RELEASE": 1.2,
        "WOMENS_CENTER": 1.3,
        "HOSPITAL": 0.4,
        "TREATMENT": 0.6,
    }[kind]


def _month_of_day(day_number: int) -> int:
    return int(np.clip(month_index(np.array([day_number]))[0], 0, N_MONTHS - 1))


def _base_name(program: CanonicalProgram, rng) -> str:
    if program.aliases and rng.random() < 0.4:
        return program.aliases[int(rng.integers(len(program.aliases)))]
    return program.name


def normalized(text: str) -> str:
    """Lower-case words, punctuation dropped, Prog/Pgm read as Program."""
    cleaned = "".join(ch.lower() if ch.isalnum() else " " for ch in text)
    words = ["program" if w in ("prog", "pgm") else w for w in cleaned.split()]
    return " ".join(words)


@lru_cache(maxsize=1)
def _canonical_names() -> dict[str, frozenset[str]]:
    owners: dict[str, set[str]] = {}
    for p in canonical_programs():
        for text in (p.name, *p.aliases):
            owners.setdefault(normalized(text), set()).add(p.code)
    return {k: frozenset(v) for k, v in owners.items()}


def _distinct_variant(program: CanonicalProgram, rng, agency: str, qualifier: str, case: str):
    """A variant that does not read as another canonical program's name or alias."""
    owners = _canonical_names()
    for _ in range(6):
        text = variant(_base_name(program, rng), rng, agency)
        claimed = owners.get(normalized(text))
        if claimed is None or program.code in claimed:
            return _case(text + qualifier, case, rng)
    return _case(program.name + qualifier, case, rng)


def _unique(name: str, used: set[str], rng, agency: str) -> str:
    candidate = name
    n = 0
    while candidate.lower() in used:
        n += 1
        candidate = name + _qualifier(rng, agency, int(rng.integers(9)), n)
    used.add(candidate.lower())
    return candidate


def _type_word(category: str, vocab: str, rng) -> str:
    if rng.random() < 0.05:  # agencies file some programs under a neighbouring type
        category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
    return TYPE_WORDS[vocab][category]


def _acronyms() -> set[str]:
    words = set()
    for p in canonical_programs():
        for text in (p.name, *p.aliases):
            words.update(w.upper() for w in text.replace("-", " ").split() if w.isupper())
    return words | {"II", "III", "MCI", "ID", "AM", "PM", "MH", "TX"}


def _smart_title(text: str) -> str:
    """Title case that keeps acronyms (GED, T4C, OSHA) in capitals."""
    keep = _acronyms()
    out = []
    for word in text.split(" "):
        core = word.strip("(),.-@")
        if core in keep or not core:
            out.append(word)
        else:
            out.append(word.replace(core, core.capitalize()))
    return " ".join(out)


def _doc_vendor_change(offering: Offering, used: set[str], rng) -> None:
    """DOC's July 2020 vendor change retyped program names (capitals → mixed case)."""
    if offering.last_month < DOC_V2_MONTH or rng.random() >= 0.75:
        return
    current = offering.name_at(DOC_V2_MONTH)
    versions = []
    for start, name in offering.versions:
        if start >= DOC_V2_MONTH and name.isupper():
            name = _smart_title(name)
        versions.append((start, name))
    starts = {start for start, _ in versions}
    if offering.first_month < DOC_V2_MONTH and DOC_V2_MONTH not in starts and current.isupper():
        versions.append((DOC_V2_MONTH, _smart_title(current)))
        versions.sort(key=lambda v: v[0])
    offering.versions = versions
    used.update(name.lower() for _, name in versions)
