"""Place tagging: which Danish towns and local places a (redacted) idea names, with their coordinates.

The gazetteer is `data/places_dk.csv` (GeoNames' Danish towns plus villages around Silkeborg, see data/NOTICE.md),
extended per consultation by `places = [...]` in consultations.toml. Matching is by rule, tuned on
benchmarks/places_gold.csv: a town name counts in its Danish forms ("i Kjellerup", "Kjellerups", "Them-området",
"Sorringegnen"), and names that are also ordinary words ("them", "give", "stilling", "vejen", a lemming) count only
where the text shows a place is meant.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transforms.redact import trie_pattern

GAZETTEER_FILE = Path(__file__).with_name("data") / "places_dk.csv"

# Town names that are ordinary Danish words (or a first name): a capital at the start of a sentence says nothing, so
# they count only capitalised inside a sentence, or with a place suffix ("Ry-området"). "Funder" and "Lemming" are
# not here: their word senses (the imperative of "fundere", the animal) do not start a citizen's sentence.
DANISH_WORDS = frozenset(
    """Beder Brande Byrum Bække Galten Give Gram Hals Hammel Kloster Lejre Lind Løsning Odder Ringe Ry Seden Skive
    Stege Stige Stilling Sunds Tarm Tim Vejen""".split()
) | {"Indre By"}
# Town names that are English words: at the start of a sentence they count only in a Danish sentence, and inside an
# English sentence only after a preposition ("in Them").
ENGLISH_WORDS = frozenset("Them Give Humble Tune Seem Funder Lemming Gram Stilling Hals Arden".split())
# Words before a name that say a place is meant (Danish and English prepositions).
_CUES = frozenset("i ved fra til omkring nær mellem mod gennem syd nord øst vest in near around from at".split())
_DANISH = frozenset(
    "og i er at det en et på til med har mangler skal kan vil der som for ikke vi jeg de den godt mere nyt ny".split()
)
_ENGLISH = frozenset("the and is are to of with we you they a an it this that would should could be".split())
_SUFFIX = re.compile(r"(?:s|'s?|’s?)?(?:-?(?:området|områderne|egnen|borgere|borgerne))?(?![\w])", re.IGNORECASE)
_PERSON_BEFORE = re.compile(r"\[navn\]\s*$")
_SENTENCE_END = re.compile(r"[.!?:;…\n]")


@dataclass(frozen=True)
class Place:
    """A named place; latitude and longitude are None for a consultation's own place given without them."""

    name: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Gazetteer:
    """Places by every spelling that names them, and one pattern that finds any spelling."""

    by_form: dict[str, Place]
    pattern: re.Pattern[str]


def _forms(name: str) -> set[str]:
    """A name and its spellings with å/aa swapped ("Åbybro", "Aabybro"; "Aarhus", "Århus")."""
    forms = {name}
    if name.startswith("Aa"):
        forms.add("Å" + name[2:])
    forms.add(name.replace("Å", "Aa").replace("å", "aa"))
    return forms


@cache
def gazetteer_places() -> tuple[Place, ...]:
    """The packaged gazetteer (data/places_dk.csv)."""
    with GAZETTEER_FILE.open(encoding="utf-8", newline="") as f:
        return tuple(Place(r["name"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f))


def build_gazetteer(extra: Iterable[Place] = ()) -> Gazetteer:
    """The packaged places plus a consultation's own (which win where the names are the same)."""
    by_form: dict[str, Place] = {}
    for place in (*gazetteer_places(), *extra):
        for form in _forms(place.name):
            by_form[form.lower()] = place
    return Gazetteer(by_form, re.compile(rf"(?<![\w\[#@/-])(?:{trie_pattern(by_form)})", re.IGNORECASE))


@cache
def default_gazetteer() -> Gazetteer:
    """The packaged gazetteer alone."""
    return build_gazetteer()


@cache
def _first_names() -> frozenset[str]:
    """First names (data/first_names*.txt, the redaction lists): a town name right after one is a surname."""
    folder = GAZETTEER_FILE.parent
    return frozenset(
        w for n in ("first_names", "first_names_words") for w in (folder / f"{n}.txt").read_text("utf-8").split()
    )


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """The sentence's text before and after a match."""
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    return text[begin:start], text[end:stop.start() if stop else len(text)]


def _after_first_name(before: str) -> bool:
    """Whether the word right before a match is a capitalised first name, so the match is a surname."""
    word = re.search(r"(?:^|\s)([A-ZÆØÅ][a-zæøåé]+)\s+$", before)
    return word is not None and word.group(1) in _first_names()


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.casefold())


def _is_english(before: str, after: str) -> bool:
    words = _words(before) + _words(after)
    return sum(w in _ENGLISH for w in words) > sum(w in _DANISH for w in words)


def _accept(text: str, start: int, end: int, suffix: str, name: str) -> bool:
    """Whether the match text[start:end] (followed by `suffix`) names the place `name`."""
    found = text[start:end]
    before, after = _sentence(text, start, end + len(suffix))
    if _PERSON_BEFORE.search(text[:start]):
        return False  # "[navn] Them": a person whose first name was redacted
    if _after_first_name(text[:start]):
        return False  # "Frederik Lind": a name redaction left (a tag it did not know)
    previous = _words(before)[-1:] or [""]
    cued = previous[0] in _CUES
    place_suffix = "-" in suffix or len(suffix) > 2
    if not found[0].isupper():
        # lower case: only a name that is no word, after a preposition or with a place suffix ("i kjellerup")
        return name not in DANISH_WORDS and name not in ENGLISH_WORDS and (cued or place_suffix)
    at_start = not before.strip(" \t\"'“”«»()-–—*")
    english = _is_english(before, after)
    if name in ENGLISH_WORDS and english and not cued:
        return False
    if name in DANISH_WORDS and at_start and not place_suffix:
        return False
    if name == "Tim":
        return cued  # also a first name redaction keeps on its own
    return not (name in ENGLISH_WORDS and at_start and english)


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[Place]:
    """The places a text names, in order of first mention, each once."""
    gaz = gazetteer or default_gazetteer()
    found: dict[str, Place] = {}
    for match in gaz.pattern.finditer(text or ""):
        suffix = _SUFFIX.match(text, match.end())
        if suffix is None:
            continue  # part of a longer word ("Themsen", "Vejenes")
        place = gaz.by_form.get(match.group().lower())
        if place is None:
            continue  # the trie's greedy match stopped inside a longer name it cannot finish
        if place.name not in found and _accept(text, match.start(), match.end(), suffix.group(), place.name):
            found[place.name] = place
    return list(found.values())


def consultation_places(entries: Sequence[str | dict[str, object]]) -> list[Place]:
    """A consultation's own places from consultations.toml: names, or tables with name, lat and lon."""
    out: list[Place] = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(Place(entry))
        else:
            lat, lon = (entry.get(k) for k in ("lat", "lon"))
            out.append(Place(str(entry["name"]), *(None if v is None else float(v) for v in (lat, lon))))
    return out
