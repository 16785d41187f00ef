"""Rebuild the name and place lists in this folder from the packages they come from (see NOTICE.md).

    uv run --no-project --with faker==40.63.0 --with mimesis==22.2.0 python transforms/data/build_name_lists.py

Neither package is a dependency of civic-ideas: redaction reads the small text files this writes, so nothing is
imported at run time and the lists can be reviewed in a diff. The hand-made lists below are the project's own.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from faker.providers.address.da_DK import Provider as DanishAddresses
from faker.providers.person import da_DK, de_DE, en_GB, nl_NL, no_NO, sv_SE

HERE = Path(__file__).resolve().parent
# A name is one capitalised word, or two joined by a hyphen; this drops the sources' few broken entries (mojibake such
# as "JÃ¸rgensen", "TRUE") and multi-word entries.
_NAME = re.compile(r"[A-ZÆØÅÉÜ][a-zæøåéüö]+(?:-[A-ZÆØÅÉÜ][a-zæøåéüö]+)?")

# First names that are also ordinary Danish (or common English) words, so a capital at the start of a sentence says
# nothing: "Bo i byen", "Per bil", "Tage bussen", "Frede skoven", "Naja, det ...". Redaction takes them only in a full
# name ("Per Hansen") or where the sentence says it is a person ("Spørg Per", "Per har ret").
WORD_NAMES = frozenset(
    """Ane Asta August Bent Berit Bitten Bo Bob Boel Broder Carl Dan Ebbe Else Ester Eva Finn Flora Frank Frede Gro
    Hans Helle Holm Ib Ida Inge Irma Iver Jack Jan Jean Kaj Kent Kim Lage Lise Liv Line Lone Lowe Lærke Maj Mark Max
    Mie Mille Naja Nora Odd Palle Paw Pelle Per Rik Rita Robin Rosa Rose Rune Rut Sam Sine Sol Sten Storm Sys Søs Tage
    Tilde Tim Tine Tom Trine Ulf Vagn Viola Ville""".split()
)
# Places around the consultations this project was built for that the packaged city lists lack (villages, parts of
# town, lakes): they are kept in texts, and must never be taken for a surname on their own.
LOCAL_PLACES = frozenset(
    """Aarhus Alderslyst Almind Balle Buskelund Dybkær Frederiksberg Funder Gjessø Gødvad Grauballe Gudenå Gudenåen
    Hammel Himmelbjerget Hvinningdal Kjellerup Kragelund Laven Lemming Linå Lysbro Resenbro Sejs Silkeborg Sinding
    Sorring Svejbæk Them Thorning Virklund Voel Vrads Ørnsø Langsø""".split()
)


def _clean(names: object) -> set[str]:
    return {n.strip() for n in names if _NAME.fullmatch(n.strip())}


def _first_names(provider: object) -> set[str]:
    return set(getattr(provider, "first_names_male", ())) | set(getattr(provider, "first_names_female", ())) | set(
        getattr(provider, "first_names", ())
    )


def _mimesis(name: str) -> dict:
    return json.loads((resources.files("mimesis") / "datasets" / "da" / name).read_text(encoding="utf-8"))


def build() -> dict[str, set[str]]:
    """The four lists: first names, first names that are also words, surnames, places."""
    person = _mimesis("person.json")
    danish = _first_names(da_DK.Provider)
    # mimesis's Danish first names mix modern and medieval ones ("Aghvarth", "Store", "Find"); keep those that a
    # modern Scandinavian, German, Dutch or British list of Faker also has.
    attested = set().union(*(_first_names(m.Provider) for m in (no_NO, sv_SE, de_DE, nl_NL, en_GB)))
    old = set(person["names"]["male"]) | set(person["names"]["female"])
    first = _clean(danish | (old & attested))
    surnames = _clean(set(person["surnames"]) | set(da_DK.Provider.last_names))
    cities = set(DanishAddresses.cities) | set(_mimesis("address.json")["city"])
    places = _clean({c.split()[0] for c in cities} | LOCAL_PLACES)
    words = first & WORD_NAMES
    return {"first_names": first - words, "first_names_words": words, "surnames": surnames, "places": places}


def main() -> None:
    for name, values in build().items():
        (HERE / f"{name}.txt").write_text("\n".join(sorted(values)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
