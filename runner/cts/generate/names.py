"""Name frequency lists of the origins common in Massachusetts, nicknames and name edits.

The lists are compact and hand-weighted (rough relative frequencies, not census counts). Every
character is encodable in cp1252, because two agencies write their files in that encoding.
Origins carry the race/ethnicity they usually imply; the world module draws from them in
proportions close to the Massachusetts custody population.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Origin:
    """One naming tradition: weighted first names per sex, surnames, race/ethnicity mix."""

    code: str
    weight: float
    male: tuple[tuple[str, int], ...]
    female: tuple[tuple[str, int], ...]
    surnames: tuple[tuple[str, int], ...]
    # (race code, ethnicity code, weight): race A/B/I/W/U, ethnicity Y/N/U.
    race_eth: tuple[tuple[str, str, float], ...]


def _w(text: str) -> tuple[tuple[str, int], ...]:
    """Parse 'Name:weight Name:weight ...' into pairs (weight 1 when omitted)."""
    pairs = []
    for token in text.split():
        name, _, weight = token.partition(":")
        pairs.append((name.replace("_", " "), int(weight) if weight else 1))
    return tuple(pairs)


_ANGLO_MALE = _w(
    "Michael:30 John:26 James:24 Robert:22 William:20 David:20 Christopher:22 Joseph:18 "
    "Thomas:16 Daniel:16 Matthew:16 Richard:12 Brian:12 Kevin:12 Steven:10 Anthony:10 Mark:8 "
    "Jason:12 Justin:10 Ryan:10 Sean:10 Timothy:8 Patrick:8 Edward:6 Andrew:8 Joshua:10 "
    "Nicholas:8 Jonathan:7 Eric:7 Scott:7 Paul:7 Kenneth:5 Benjamin:5 Jeffrey:5 Tyler:6 "
    "Brandon:6 Cody:4 Shawn:5 Francis:3 Dennis:3 Gerald:2 Raymond:4 Donald:3 Lawrence:2 "
    "Samuel:3 Alexander:4 Zachary:4 Adam:5 Travis:3 Derek:3 Keith:3"
)
_ANGLO_FEMALE = _w(
    "Jennifer:12 Jessica:14 Ashley:12 Amanda:12 Sarah:10 Stephanie:8 Nicole:9 Elizabeth:7 "
    "Melissa:8 Heather:7 Kimberly:6 Michelle:7 Christina:6 Rebecca:5 Samantha:7 Kelly:5 "
    "Katherine:4 Margaret:3 Patricia:3 Deborah:3 Lisa:4 Amy:4 Erin:4 Brittany:5 Danielle:5 "
    "Tiffany:3 Courtney:4 Kayla:4 Megan:4 Lauren:3 Caitlin:3 Crystal:3 Tara:3 Shannon:3"
)

ORIGINS: tuple[Origin, ...] = (
    Origin(
        "IRISH",
        0.16,
        _ANGLO_MALE,
        _ANGLO_FEMALE,
        _w(
            "Sullivan:12 Murphy:12 Kelly:9 O'Brien:9 Walsh:7 Ryan:7 McCarthy:8 Kennedy:5 "
            "Driscoll:4 Doherty:4 Donovan:5 Fitzgerald:5 Flaherty:3 Lynch:5 Brennan:4 Burke:5 "
            "Callahan:4 Connolly:4 Connors:4 Collins:5 Doyle:5 Dunn:3 Gallagher:4 Keane:2 "
            "Mahoney:4 McDonald:5 McLaughlin:4 Moriarty:2 Nolan:3 O'Connor:5 O'Neil:4 Quinn:4 "
            "Reilly:4 Shea:4 Sweeney:4 Malone:3 Hurley:3 Coughlin:2 Cronin:3 Hogan:3 "
            "McGrath:3 Kearney:2 Dolan:3 Foley:4 Galvin:2 Kiley:2 Mulligan:2"
        ),
        (("W", "N", 0.97), ("U", "N", 0.02), ("W", "U", 0.01)),
    ),
    Origin(
        "ENGLISH",
        0.13,
        _ANGLO_MALE,
        _ANGLO_FEMALE,
        _w(
            "Smith:16 Johnson:8 Brown:9 Jones:6 Miller:6 Davis:6 Wilson:5 Taylor:5 Clark:5 "
            "Thompson:5 White:5 Harris:4 Lewis:4 Walker:4 Hall:4 Allen:4 Young:3 King:4 "
            "Wright:4 Baker:4 Adams:4 Nelson:3 Hill:3 Campbell:3 Mitchell:3 Carter:3 Phillips:3 "
            "Parker:3 Cook:3 Morgan:3 Bailey:3 Cooper:3 Howard:3 Ward:3 Peterson:2 Gray:3 "
            "Hughes:3 Bennett:2 Wood:2 Barnes:2 Chase:2 Coffin:1 Crowell:1 Nickerson:2 "
            "Eldredge:1 Chandler:2 Whitney:2 Dexter:1"
        ),
        (("W", "N", 0.95), ("U", "N", 0.03), ("I", "N", 0.02)),
    ),
    Origin(
        "ITALIAN",
        0.08,
        _w(
            "Anthony:14 Michael:12 Joseph:14 John:8 Nicholas:8 Vincent:5 Salvatore:3 Frank:5 "
            "Dominic:4 Paul:5 Louis:3 Carmine:2 Giuseppe:1 Mark:4 Christopher:6 Matthew:5 "
            "Robert:5 Richard:4 Steven:4 Daniel:4"
        ),
        _w(
            "Maria:4 Angela:5 Christina:5 Nicole:6 Lisa:5 Gina:4 Theresa:3 Jessica:6 "
            "Francesca:2 Danielle:4 Jennifer:5 Stephanie:4"
        ),
        _w(
            "Russo:6 DeLuca:4 Romano:4 Marino:4 Rossi:4 Ferrara:3 Esposito:4 Caruso:3 "
            "Santoro:3 Bruno:3 Gallo:3 Conti:3 Ricci:3 Greco:3 Mancini:3 Costa:3 Lombardi:3 "
            "Moretti:2 Barbieri:2 Fontana:2 DiMarco:2 Pellegrino:2 Silvestri:2 Amato:3 "
            "Cataldo:2 Colangelo:2 LaRosa:2 Vitale:2 DiNapoli:2 Testa:2"
        ),
        (("W", "N", 0.97), ("U", "N", 0.03)),
    ),
    Origin(
        "FRENCH_CANADIAN",
        0.05,
        _w(
            "Marc:4 Michael:6 Joseph:5 Daniel:5 Christopher:4 Andre:3 Jean:2 Paul:4 Normand:2 "
            "Raymond:3 Roger:2 Luc:2 Eric:4 Ryan:4 Kyle:3"
        ),
        _w("Nicole:4 Michelle:4 Jessica:4 Amanda:4 Danielle:3 Denise:3 Monique:2 Renee:3"),
        _w(
            "Gagnon:5 Roy:5 Cote:3 Bouchard:3 Gauthier:3 Morin:3 Lavoie:3 Fortin:3 Gagne:3 "
            "Pelletier:4 Belanger:3 Levesque:3 Theriault:3 Bergeron:3 Dube:2 Leblanc:4 "
            "Ouellette:3 Thibodeau:2 Boucher:3 Lachance:2 Paquette:2 Cormier:3 Fournier:2"
        ),
        (("W", "N", 0.97), ("U", "N", 0.03)),
    ),
    Origin(
        "PORTUGUESE",
        0.04,
        _w(
            "Jose:6 João:3 Manuel:6 Antonio:5 Carlos:5 Paulo:3 Luis:4 Michael:6 David:5 "
            "Steven:4 Jason:4 Jeffrey:3 Fernando:2 Ricardo:2"
        ),
        _w(
            "Maria:6 Ana:4 Sandra:3 Cristina:3 Jessica:4 Amanda:4 Conceição:1 Fátima:1 "
            "Sónia:1 Nicole:3"
        ),
        _w(
            "Silva:8 Santos:6 Medeiros:5 Sousa:5 Pereira:5 Costa:4 Ferreira:4 Oliveira:4 "
            "Rodrigues:4 Gonçalves:4 Amaral:3 Correia:3 Cabral:3 Rebelo:2 Pacheco:3 Furtado:3 "
            "Almeida:3 Carvalho:3 Simões:2 Magalhães:1 Raposo:2 Tavares:2 Câmara:1 Viveiros:2"
        ),
        (("W", "N", 0.93), ("W", "U", 0.03), ("U", "N", 0.04)),
    ),
    Origin(
        "OTHER_EUROPEAN",
        0.03,
        _w(
            "Peter:4 Stephen:4 John:5 Michael:5 George:3 Nicholas:3 Daniel:3 Adam:3 Matthew:3 "
            "Christopher:3 Alexander:2 Dimitri:1"
        ),
        _w("Anna:3 Katherine:3 Christina:3 Nicole:3 Sophia:2 Jennifer:3"),
        _w(
            "Kowalski:3 Nowak:2 Wisniewski:2 Sadowski:2 Kaminski:2 Papadopoulos:2 "
            "Pappas:3 Georgiou:1 Katz:2 Cohen:3 Levine:2 Schwartz:2 Petrov:1 Koval:1"
        ),
        (("W", "N", 0.96), ("U", "N", 0.04)),
    ),
    Origin(
        "HISPANIC",
        0.22,
        _w(
            "José:14 Luis:12 Carlos:10 Juan:10 Jose:8 Miguel:6 Angel:8 Jesús:4 Pedro:5 "
            "Francisco:4 Rafael:5 Ramón:4 Héctor:4 Edwin:6 Jonathan:8 Christian:7 Kevin:5 "
            "Jorge:5 Victor:5 Andrés:3 Julio:4 Roberto:4 Manuel:4 Wilfredo:3 Alexis:4 "
            "Joel:4 Eddie:3 Ángel:3 Nelson:3 Raúl:3 Efraín:2 Elvin:2 Yamil:1"
        ),
        _w(
            "María:8 Maria:6 Carmen:4 Ana:4 Jessica:6 Yesenia:3 Jacqueline:3 Estéfani:2 "
            "Stephanie:4 Yolanda:2 Marisol:3 Sofía:2 Inés:1 Lourdes:2 Glorimar:1 Kiara:3 "
            "Melissa:4 Vanessa:4 Yadira:2"
        ),
        _w(
            "Rodríguez:10 Rodriguez:6 González:7 Gonzalez:4 Rivera:10 Hernández:6 Pérez:6 "
            "Torres:7 Cruz:6 Santiago:6 Ortiz:6 Martínez:6 Colón:5 Ramos:5 Reyes:5 Díaz:5 "
            "Sánchez:5 Vázquez:4 Figueroa:4 Medina:4 Rosario:5 Morales:5 Jiménez:3 Peña:3 "
            "Núñez:3 Castillo:3 Ayala:3 Rosa:3 Velázquez:3 Báez:2 Marrero:3 Acevedo:3 "
            "Delgado:3 Feliz:2 Almonte:2 Tejada:2 Polanco:2 Ventura:2 Guzmán:2"
        ),
        (("W", "Y", 0.45), ("B", "Y", 0.12), ("U", "Y", 0.33), ("W", "U", 0.04), ("U", "N", 0.06)),
    ),
    Origin(
        "AFRICAN_AMERICAN",
        0.15,
        _w(
            "Michael:10 James:8 Anthony:8 Jamal:5 Marcus:5 Terrell:4 Darnell:4 Andre:5 "
            "Tyrone:3 Antoine:3 DeShawn:3 Jerome:4 Brandon:5 Christopher:7 Kevin:6 Robert:6 "
            "William:5 Derrick:4 Lamar:3 Malik:4 Tyrell:3 Jermaine:4 Darius:3 Corey:4 Isaiah:3 "
            "Cedric:2 Reginald:2 Curtis:3"
        ),
        _w(
            "Tanisha:3 Keisha:3 Aaliyah:2 Jasmine:4 Ebony:3 Latoya:3 Shanice:2 Tiffany:3 "
            "Ashley:3 Brianna:3 Monique:2 Denise:2 Crystal:3 Angela:3 Diamond:2"
        ),
        _w(
            "Williams:10 Johnson:9 Jones:7 Brown:8 Jackson:7 Davis:6 Robinson:5 Harris:5 "
            "Thomas:5 Green:4 Washington:4 Wright:3 Scott:3 Moore:4 Taylor:4 Walker:4 "
            "Bell:3 Coleman:3 Griffin:3 Simmons:3 Hayes:3 Bryant:3 Gordon:3 Freeman:3 "
            "Baptiste:2 Grant:3 Holmes:2 Rhodes:2"
        ),
        (("B", "N", 0.94), ("B", "U", 0.03), ("U", "N", 0.03)),
    ),
    Origin(
        "CAPE_VERDEAN",
        0.04,
        _w(
            "Carlos:5 Manuel:4 Edmilson:3 Adilson:3 Nelson:3 Jose:4 Antonio:3 Paulo:2 "
            "Ivandro:2 Helder:2 Alex:3 Marcos:2 Jailson:2 Kevin:2"
        ),
        _w("Ivanilda:2 Maria:4 Elisângela:1 Sandra:2 Angela:2 Carla:2 Jessica:2 Natalia:2"),
        _w(
            "Gomes:6 Fernandes:5 Tavares:5 Monteiro:5 Lopes:5 Andrade:4 Barbosa:4 Pina:4 "
            "Rosa:3 Semedo:3 Varela:3 Fontes:3 Brito:3 Teixeira:3 Gonçalves:3 Centeio:2 "
            "DaRosa:2 Mendes:3 Cardoso:3 Pires:2"
        ),
        (("B", "N", 0.70), ("W", "N", 0.08), ("U", "N", 0.15), ("B", "U", 0.07)),
    ),
    Origin(
        "HAITIAN",
        0.04,
        _w(
            "Jean:8 Pierre:4 Jean-Baptiste:2 Emmanuel:4 Kervens:2 Stanley:3 Fritz:2 Frantz:2 "
            "Ricardo:2 Wilson:3 Evens:2 Peterson:2 Jonathan:3 Mackenson:1"
        ),
        _w("Marie:5 Nadege:2 Guerline:2 Fabiola:2 Stephanie:2 Rose:2 Judith:2 Widline:1"),
        _w(
            "Joseph:6 Pierre:6 Jean-Baptiste:4 Louis:4 Charles:4 Jean-Louis:2 Francois:3 "
            "Etienne:2 Desir:2 Augustin:2 Celestin:2 Michel:3 Dorvil:2 Toussaint:2 Noel:2 "
            "Alexis:2 Saint-Fleur:2 Exantus:1 Jeune:1"
        ),
        (("B", "N", 0.92), ("U", "N", 0.05), ("B", "U", 0.03)),
    ),
    Origin(
        "VIETNAMESE",
        0.015,
        _w("Minh:4 Tuan:4 Hung:3 Nam:3 Long:3 Duc:3 Thanh:3 Vinh:2 Khoa:2 Bao:2 Phong:2 Kevin:3"),
        _w("Linh:3 Mai:3 Lan:2 Thao:2 Trang:2 Hoa:2 Ngoc:2 Tina:2"),
        _w(
            "Nguyen:20 Tran:8 Le:7 Pham:6 Hoang:3 Huynh:3 Phan:3 Vu:3 Vo:3 Dang:2 Bui:2 Do:2 "
            "Ho:2 Ngo:2 Duong:2 Ly:2"
        ),
        (("A", "N", 0.95), ("U", "N", 0.05)),
    ),
    Origin(
        "CAMBODIAN",
        0.01,
        _w("Sokha:3 Vanna:2 Sophal:2 Visal:2 Chan:3 Rithy:2 Bunthoeun:1 Kevin:2 Tony:2"),
        _w("Sophea:2 Channary:2 Sreymom:1 Bopha:2 Kimly:2"),
        _w("Chhim:2 Sok:4 Chea:3 Keo:3 Chhay:2 Prak:2 Ouk:2 Meas:2 Ly:2 Heng:2 Phal:1 Touch:2"),
        (("A", "N", 0.95), ("U", "N", 0.05)),
    ),
    Origin(
        "NATIVE",
        0.005,
        _ANGLO_MALE,
        _ANGLO_FEMALE,
        _w(
            "Peters:3 Hendricks:2 Mills:2 Oakley:2 Pocknett:2 Jonas:2 Hicks:2 Greene:2 Vanderhoop:1"
        ),
        (("I", "N", 0.85), ("I", "U", 0.05), ("U", "N", 0.10)),
    ),
)

MIDDLE_MALE = _w(
    "J:10 A:9 M:9 R:7 D:6 E:5 L:5 P:4 S:5 T:4 C:4 Michael:6 James:5 John:5 Joseph:5 Paul:4 "
    "Anthony:4 Lee:3 Allen:3 Edward:3 Patrick:3 Francis:2 Luis:2 Antonio:2"
)
MIDDLE_FEMALE = _w(
    "A:8 M:8 L:6 J:5 E:5 R:4 Marie:6 Ann:5 Lynn:5 Elizabeth:4 Rose:3 Nicole:3 Jean:3 Lee:2"
)

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"),
    "Michael": ("Mike", "Mikey"),
    "Richard": ("Rick", "Dick", "Richie"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe", "Joey"),
    "Christopher": ("Chris",),
    "Anthony": ("Tony", "Ant"),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Francis": ("Frank",),
    "Patrick": ("Pat",),
    "Timothy": ("Tim",),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Kenneth": ("Ken", "Kenny"),
    "Nicholas": ("Nick",),
    "Benjamin": ("Ben",),
    "Jonathan": ("Jon",),
    "Alexander": ("Alex",),
    "Samuel": ("Sam",),
    "Raymond": ("Ray",),
    "Donald": ("Don",),
    "Gerald": ("Jerry",),
    "Lawrence": ("Larry",),
    "Jeffrey": ("Jeff",),
    "Andrew": ("Andy", "Drew"),
    "Zachary": ("Zach",),
    "Joshua": ("Josh",),
    "Dominic": ("Dom",),
    "Vincent": ("Vinny",),
    "Salvatore": ("Sal",),
    "Giuseppe": ("Joe",),
    "Jose": ("Pepe",),
    "José": ("Pepe",),
    "Francisco": ("Paco", "Pancho"),
    "Jesús": ("Chuy",),
    "Manuel": ("Manny",),
    "Antonio": ("Tony",),
    "Roberto": ("Beto",),
    "Alejandro": ("Alex",),
    "Eduardo": ("Eddie",),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Jennifer": ("Jen", "Jenny"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Margaret": ("Peggy", "Maggie", "Meg"),
    "Patricia": ("Pat", "Trish", "Patty"),
    "Deborah": ("Debbie", "Deb"),
    "Kimberly": ("Kim",),
    "Samantha": ("Sam",),
    "Jessica": ("Jess",),
    "Rebecca": ("Becky",),
    "Christina": ("Tina", "Chris"),
    "Stephanie": ("Steph",),
    "Amanda": ("Mandy",),
    "Danielle": ("Dani",),
}

# Two-letter keyboard neighbours used for one-letter typos (lowercase).
_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "y": "tu",
    "z": "x",
}


def ascii_fold(text: str) -> str:
    """Drop accents (José → Jose), as agencies with ASCII-only systems do."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def typo(word: str, rng: np.random.Generator) -> str:
    """One realistic keying error: a dropped, doubled, swapped or neighbouring letter."""
    if len(word) < 3:
        return word + word[-1] if word else word
    kind = int(rng.integers(4))
    pos = int(rng.integers(1, len(word) - 1))
    if kind == 0:  # dropped letter
        return word[:pos] + word[pos + 1 :]
    if kind == 1:  # doubled letter
        return word[:pos] + word[pos] + word[pos:]
    if kind == 2:  # adjacent transposition
        if word[pos] == word[pos + 1]:
            return word[:pos] + word[pos + 1 :]
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    lower = word[pos].lower()
    choices = _NEIGHBOURS.get(lower)
    if not choices:
        return word[:pos] + word[pos + 1 :]
    repl = choices[int(rng.integers(len(choices)))]
    if word[pos].isupper():
        repl = repl.upper()
    return word[:pos] + repl + word[pos + 1 :]


def nickname(first: str, rng: np.random.Generator) -> str | None:
    options = NICKNAMES.get(first) or NICKNAMES.get(ascii_fold(first))
    if not options:
        return None
    return options[int(rng.integers(len(options)))]


def weighted(pairs: tuple[tuple[str, int], ...]) -> tuple[list[str], np.ndarray]:
    names = [name for name, _ in pairs]
    weights = np.array([weight for _, weight in pairs], dtype=float)
    return names, weights / weights.sum()


# Spellings that sound alike, both ways (lowercase): one is swapped in for a phonetic spelling.
_SOUND_ALIKE = (
    ("ph", "f"),
    ("ck", "k"),
    ("c", "k"),
    ("ee", "ea"),
    ("ie", "y"),
    ("ei", "ie"),
    ("ou", "oo"),
    ("s", "z"),
    ("th", "t"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("rr", "r"),
    ("ss", "s"),
    ("ai", "ay"),
    ("er", "ar"),
    ("i", "y"),
    ("x", "ks"),
    ("v", "b"),
    ("j", "g"),
)


def phonetic_spelling(word: str, rng: np.random.Generator) -> str:
    """The name spelled as it sounds (Stephen -> Stefen, Kelly -> Kely): one sound-alike swap
    after the first letter; a typo when no swap applies."""
    lower = word.lower()
    options = [
        (position, written, sound)
        for a, b in _SOUND_ALIKE
        for written, sound in ((a, b), (b, a))
        for position in range(1, len(lower))
        if lower.startswith(written, position)
    ]
    if not options:
        return typo(word, rng)
    position, written, sound = options[int(rng.integers(len(options)))]
    return word[:position] + sound + word[position + len(written) :]
