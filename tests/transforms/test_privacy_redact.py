"""Issue 6, redaction: tagged names, e-mails, Danish phone numbers and valid CPR numbers never survive `redact`;
ordinary numbers (years, amounts, postcodes, dates, times) always do.

The properties build a random Danish comment out of words, emojis, ordinary numbers and personal data, and know
exactly what the redacted comment must read, so both over- and under-redaction fail them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transforms.redact import CPR, EMAIL, NAME, PHONE, contains_pii, redact, redact_tags

# --- examples ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "86821234", "86 82 12 34", "8682 1234", "86-82-12-34", "86.82.12.34", "8682-1234",
        "+45 86 82 12 34", "0045 86821234", "+4586821234", "+45 8682 1234", "0045-86-82-12-34", "(+45) 20304050",
        "+45 2014-2020",  # a year range after a country code is a phone number
    ],
)
def test_every_danish_phone_format_is_redacted(phone: str) -> None:
    text = f"Lav en cykelsti langs Åen 🚲, ring til mig på {phone} hvis I vil høre mere."
    assert redact(text) == f"Lav en cykelsti langs Åen 🚲, ring til mig på {PHONE} hvis I vil høre mere."
    assert contains_pii(text) == ["phone"]


@pytest.mark.parametrize("cpr", ["010203-1234", "0102031234", "010203 1234", "290296-4321", "311299-0000"])
def test_cpr_numbers_with_a_valid_date_are_redacted(cpr: str) -> None:
    text = f"Mit cpr er {cpr}, så I kan finde mig."
    assert redact(text) == f"Mit cpr er {CPR}, så I kan finde mig."
    assert contains_pii(text) == ["cpr"]


@pytest.mark.parametrize(
    "text",
    [
        "Det blev vedtaget i 1999, og planen løber 2014-2020.",
        "Byggeriet koster 5000 kr. pr. m², i alt 1.500.000 kr.",
        "Flyt markedet til 8600 Silkeborg eller 8620 Kjellerup",
        "Mødet er 15/6 kl. 14.30 på rådhuset",
        "Sagsnummer 3213991234 har en ugyldig dato",  # 10 digits, 32/13/99 is no date
        "Sagsnummer 321399-1234 igen",
        "Vi var 120 borgere og 35 børn, 3,5 km cykelsti, 12 % flere",
        "Ca. 6.000 følgere, 12345678 visninger",  # 8 digits starting with 1: no Danish phone starts with 1
    ],
)
def test_ordinary_numbers_survive(text: str) -> None:
    assert redact(text) == text
    assert contains_pii(text) == []


def test_tag_offsets_are_code_points_after_emoji_and_danish_letters() -> None:
    text = "Æøå 👍🏻🇩🇰 Zacharias Quistgaard-Ølholm skal se det her!"
    name = "Zacharias Quistgaard-Ølholm"
    offset = text.index(name)
    assert offset == 9  # 4 emoji code points; in UTF-16 the name would start at 12
    tags = [{"id": "100001234567890", "name": name, "type": "user", "offset": offset, "length": len(name)}]
    assert redact_tags(text, tags) == f"Æøå 👍🏻🇩🇰 {NAME} skal se det her!"


def test_tagged_names_and_other_pii_together() -> None:
    text = "Bjørn Ærø: skriv til bjorn@example.com eller ring 20 30 40 50 (cpr 010203-1234)"
    out = redact_tags(text, [{"offset": 0, "length": 9}])
    assert out == f"{NAME}: skriv til {EMAIL} eller ring {PHONE} (cpr {CPR})"


# --- properties ----------------------------------------------------------------------------------------------------

WORDS = ["cykelsti", "Åen", "bænke", "grøn", "ærgerligt", "legeplads", "idé", "hvad", "med", "flere", "træer", "øl",
         "å", "Ærø", "motorvej", "skøjtebane", "borgere", "please", "mere", "lys", "tak!"]
EMOJI = ["😀", "👍🏻", "🚲", "❤️", "🇩🇰", "🌳"]
# Between two pieces there is always a word or punctuation: "2014 2015" side by side would read as a 4+4 phone number.
GAPS = [" og ", ", ", " – ", "\n- ", " 😀 ", ". ", " (", ") ", ": ", " eller ", "? ", "! "]


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A Danish phone number in one of its written forms."""
    digits = draw(st.sampled_from("23456789")) + draw(st.text("0123456789", min_size=7, max_size=7))
    sep = draw(st.sampled_from([" ", "-", "."]))
    shape = draw(st.sampled_from(["8", "4+4", "2+2+2+2"]))
    prefix = draw(st.sampled_from(["", "+45", "+45 ", "0045", "0045 ", "(+45) ", "+45-"]))
    if shape == "4+4":
        # Documented: without a country code, two years joined by a dash read as a period ("2014-2020").
        is_period = sep == "-" and digits[:2] in ("19", "20") and digits[4:6] in ("19", "20")
        assume(prefix or not is_period)
        digits = digits[:4] + sep + digits[4:]
    elif shape == "2+2+2+2":
        digits = sep.join(digits[i : i + 2] for i in range(0, 8, 2))
    return prefix + digits


@st.composite
def cprs(draw: st.DrawFn) -> str:
    """A CPR number: a real date as DDMMYY and four digits, with a dash, a space or nothing between."""
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
    return born.strftime("%d%m%y") + draw(st.sampled_from(["-", "", " "])) + draw(st.text("0123456789", min_size=4,
                                                                                          max_size=4))


emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.text("abcxyzæøåABC0123456789._+-", min_size=1, max_size=12),
    st.lists(st.text("abcdefghijklmnopqrstuvwxyzæøå0123456789-", min_size=1, max_size=10), min_size=1, max_size=3),
    st.text("abcdefghijklmnopqrstuvwxyzDK", min_size=2, max_size=6),
)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@st.composite
def invalid_date_numbers(draw: st.DrawFn) -> str:
    """Ten digits (or 6-4 with a dash) whose first six are no date: a case number, not a CPR number."""
    day, month = draw(st.sampled_from([(32, 1), (0, 5), (15, 13), (10, 0), (31, 4), (30, 2), (45, 99)]))
    rest = draw(st.text("0123456789", min_size=6, max_size=6))
    return f"{day:02d}{month:02d}{rest[:2]}" + draw(st.sampled_from(["", "-"])) + rest[2:]


ordinary = st.one_of(
    st.integers(1900, 2099).map(str),
    st.tuples(st.integers(1900, 2099), st.integers(1900, 2099)).map(lambda y: f"{y[0]}-{y[1]}"),
    st.integers(0, 9_999_999).map(lambda n: f"{n} kr"),  # 8 digits starting 2-9 is a phone (documented)
    st.integers(1000, 10**12).map(lambda n: f"{_thousands(n)} kr."),
    st.tuples(st.integers(1000, 9990), st.sampled_from(["Silkeborg", "Kjellerup", "Them", "Aarhus C"])).map(
        lambda p: f"{p[0]} {p[1]}"),
    st.tuples(st.integers(1, 31), st.integers(1, 12)).map(lambda d: f"{d[0]}/{d[1]}"),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"kl. {t[0]:02d}.{t[1]:02d}"),
    st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)).map(lambda d: d.strftime("%d.%m.%Y")),
    st.integers(10_000_000, 19_999_999).map(str),
    invalid_date_numbers(),
)

PII = {"phone": (phones(), PHONE), "cpr": (cprs(), CPR), "email": (emails, EMAIL)}
piece = st.one_of(
    st.sampled_from(WORDS + EMOJI).map(lambda w: ("word", w)),
    ordinary.map(lambda n: ("ordinary", n)),
    *(strategy.map(lambda v, k=kind: (k, v)) for kind, (strategy, _) in PII.items()),
)


@st.composite
def comments(draw: st.DrawFn) -> tuple[str, str, list[str], list[str]]:
    """(text, the text as redaction must leave it, the personal data in it, the ordinary numbers in it)."""
    pieces = draw(st.lists(piece, min_size=1, max_size=8))
    text, expected, pii, numbers = draw(st.sampled_from(WORDS)), None, [], []
    expected = text
    for kind, value in pieces:
        gap = draw(st.sampled_from(GAPS))
        text += gap + value
        expected += gap + (PII[kind][1] if kind in PII else value)
        (pii if kind in PII else numbers if kind == "ordinary" else []).append(value)
    return text, expected, pii, numbers


@settings(max_examples=400)
@given(comments())
def test_pii_never_survives_and_ordinary_numbers_always_do(case: tuple[str, str, list[str], list[str]]) -> None:
    text, expected, pii, numbers = case
    out = redact(text)
    assert out == expected
    assert contains_pii(out) == []
    for value in pii:
        assert value not in out
    for number in numbers:
        assert number in out


@given(st.one_of(phones(), cprs(), emails), st.sampled_from(WORDS), st.sampled_from(GAPS))
def test_contains_pii_finds_what_redact_removes(value: str, word: str, gap: str) -> None:
    text = word + gap + value + gap + word
    assert contains_pii(text) != []
    assert contains_pii(redact(text)) == []


@given(st.one_of(comments().map(lambda c: c[0]), st.text()))
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


NAMES = ["Zacharias Quistgaard-Ølholm", "Åse Ærø", "Bjørn 🚲 Ølgaard", "Søren", "Anne fra kommunen"]


@given(st.lists(st.one_of(st.sampled_from(WORDS + EMOJI), st.sampled_from(NAMES).map(lambda n: ("tag", n)),
                          phones().map(lambda p: ("phone", p))), min_size=1, max_size=8))
def test_tagged_names_never_survive_at_code_point_offsets(pieces: list) -> None:
    text, expected, tags, names = "Hej", "Hej", [], []
    for item in pieces:
        text += " "
        expected += " "
        if isinstance(item, tuple) and item[0] == "tag":
            tags.append({"id": "100009999999999", "name": item[1], "type": "user", "offset": len(text),
                         "length": len(item[1])})
            names.append(item[1])
            text += item[1]
            expected += NAME
        elif isinstance(item, tuple):
            text += item[1]
            expected += PHONE
        else:
            text += item
            expected += item
    out = redact_tags(text, tags)
    assert out == expected
    for name in names:
        assert name not in out
    assert redact(out) == out
