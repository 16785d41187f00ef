"""Place tagging: Danish inflection, false friends, the check list's villages, a consultation's own places."""

from __future__ import annotations

import pytest

from benchmarks.eval_places import CHECK_LIST, places_report
from transforms.places import Place, build_gazetteer, consultation_places, find_places, gazetteer_places


def names(text: str, **kw: object) -> list[str]:
    return [p.name for p in find_places(text, **kw)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Byg en ny hal i Kjellerup", ["Kjellerup"]),
        ("Kjellerups borgere mangler en svømmehal", ["Kjellerup"]),
        ("Lav en sti ved Them", ["Them"]),
        ("Them-området har brug for lejeboliger", ["Them"]),
        ("Sorringegnen er glemt", ["Sorring"]),
        ("Them mangler en cykelsti", ["Them"]),  # sentence start, Danish sentence
        ("Vi bor i kjellerup og savner et spillested", ["Kjellerup"]),  # lower case after a preposition
        ("Flere tog til Århus og Aarhus", ["Aarhus"]),  # one place, both spellings
        ("Lemming, Sorring og Them bliver glemt", ["Lemming", "Sorring", "Them"]),
        ("Funder mangler en legeplads", ["Funder"]),
        ("We need a park in Them", ["Them"]),
    ],
)
def test_inflected_names_are_found(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Give them a proper bike lane, please",  # English "them"
        "Them kids need a skatepark",  # English sentence, capital at its start
        "[navn] Them mener at vi skal have p-pladser",  # a person whose first name was redacted
        "Frederik Lind 👆👆",  # a name redaction did not know: Lind is a surname here
        "han funderer stadig over grunden",  # "fundere", the verb
        "What a lemming move to close the library",
        "Vejen er fuld af huller",  # "the road", at the start of a sentence
        "Give os en park i midtbyen",
        "Lav et nyt byrum ved banegården",
        "Tim og jeg vil have mere lys",  # a first name
        "themselves and Themsen",
        "Få gjort noget ved trafikken på Aarhusvej",  # a street, not the town
    ],
)
def test_false_friends_are_not_places(text: str) -> None:
    assert names(text) == []


def test_check_list_villages_are_in_the_gazetteer_with_coordinates() -> None:
    by_name = {p.name: p for p in gazetteer_places()}
    for name in CHECK_LIST:
        place = by_name[name]
        assert 55.9 < place.latitude < 56.4 and 9.3 < place.longitude < 9.9, name  # around Silkeborg


def test_consultation_places_are_matched_and_keep_coordinates() -> None:
    own = consultation_places(["Papirfabrikken", {"name": "Aarhusvej", "lat": 56.17, "lon": 9.56}])
    gaz = build_gazetteer(own)
    found = find_places("Flyt markedet til Papirfabrikken og luk Aarhusvej om lørdagen", gaz)
    assert found == [Place("Papirfabrikken"), Place("Aarhusvej", 56.17, 9.56)]
    assert names("Flyt markedet til Papirfabrikken") == []  # only for the consultation that names it


def test_eval_report_measures_precision_and_recall() -> None:
    report = places_report()
    check = next(line for line in report.splitlines() if line.startswith("| check list"))
    assert check.split("|")[2].strip() == "1.000" and check.split("|")[3].strip() == "1.000"
