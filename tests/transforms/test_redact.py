"""Redaction of tagged names, e-mails, Danish phone numbers and CPR numbers; ordinary numbers survive."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from transforms.redact import contains_pii, is_cpr_date, redact, redact_spans, redact_tags

PHONE_FORMATS = [
    "86821234",
    "86 82 12 34",
    "8682 1234",
    "86-82-12-34",
    "86.82.12.34",
    "8682-1234",
    "8682.1234",
    "+45 86 82 12 34",
    "+45 8682 1234",
    "+4586821234",
    "004586821234",
    "0045 86821234",
    "(+45) 86821234",
    "+45 2014-2020",  # with a country code, two year-like halves are still a phone number
    "23456789",  # a bare 8-digit run starting 2-9 is taken for a phone number (see `redact`)
]


@pytest.mark.parametrize("phone", PHONE_FORMATS)
def test_phone_formats_are_redacted(phone: str) -> None:
    text = f"Ring til mig på {phone}, så snakker vi."
    assert redact(text) == "Ring til mig på [telefon], så snakker vi."
    assert contains_pii(text) == ["phone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpr 010203-1234 tak", "cpr [cpr] tak"),
        ("cpr 0102031234 tak", "cpr [cpr] tak"),
        ("cpr 010203 1234 tak", "cpr [cpr] tak"),
        ("311299-4321", "[cpr]"),
        ("290200-1234", "[cpr]"),  # 29 Feb 2000: YY divisible by 4 may be a leap year
        ("290296-1234", "[cpr]"),
        ("(010203-1234)", "([cpr])"),
    ],
)
def test_valid_cpr_numbers_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert contains_pii(text) == ["cpr"]


@pytest.mark.parametrize(
    "text",
    [
        "290201-1234",  # 29 Feb in a year that is never a leap year
        "310403-1234",  # 31 April
        "320103-1234",  # day 32
        "001203-1234",  # day 0
        "011303-1234",  # month 13
        "010003-1234",  # month 0
        "3213991234",  # 10 digits whose first six are no date
        "9999999999",
        "01020312345",  # a CPR-looking prefix of a longer digit run
        "1010203-1234",
    ],
)
def test_cpr_shaped_numbers_without_a_valid_date_survive(text: str) -> None:
    assert redact(text) == text
    assert contains_pii(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Det blev besluttet i 2014.",
        "Planstrategi 2015-2027 og 1999-2000",
        "Det koster 5000 kr eller 1.500.000 kr.",
        "Budget: 25.000.000 kr., 250 000 kr.",
        "8600 Silkeborg og 8620 Kjellerup",
        "Mødet er 15/6 kl. 14.30-16.00",
        "kl. 20.30-21.30 den 24.06.2014",
        "Dato 2014-06-15 og 15.06.14",
        "12345678 starter med 1",
        "123456789 og 987654321 er 9 cifre",
        "Sag nr. 2014/123456 og id 1234567890123456",
        "ISBN 978-87-02-12345-6",
        "ca. 6000 følgere og 100 kommentarer",
        "+5 grader og 3,5 km",
    ],
)
def test_ordinary_numbers_survive(text: str) -> None:
    assert redact(text) == text
    assert contains_pii(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skriv til anne@silkeborg.dk", "skriv til [email]"),
        ("Anne.Hansen+borger@mail.silkeborg.dk.", "[email]."),
        ("x_y-z@sub.domain.example.com!", "[email]!"),
        ("(søren.ærø@post.tele.dk)", "([email])"),
        ("mailto:a1@b2.io og tlf 86821234", "mailto:[email] og tlf [telefon]"),
    ],
)
def test_emails_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_not_an_email() -> None:
    for text in ("mød mig @ biblioteket", "mød mig @ biblioteket. Det bliver godt", "a@b", "pris@5.00",
                 "godt at silkeborg.dk svarer"):
        assert redact(text) == text
    assert redact("@PeterHansen tak") == "[navn] tak"  # no e-mail address, but an untagged mention of a person


def test_tag_offsets_count_code_points() -> None:
    text = "😀 Søren Ærø se her"
    # The emoji is one code point (two UTF-16 units), so the name starts at 2 and is 9 code points long.
    assert redact(text, [(2, 9)]) == "😀 [navn] se her"
    assert redact_tags(text, [{"id": "1", "name": "Søren Ærø", "type": "user", "offset": 2, "length": 9}]) == (
        "😀 [navn] se her"
    )


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([(0, 4), (8, 5)], "[navn] og [navn] kom"),
        ([(8, 5), (0, 4)], "[navn] og [navn] kom"),  # order does not matter
        ([(0, 4), (2, 5)], "[navn] Bente kom"),  # overlapping spans merge: nothing of either is left
        ([(0, 4), (4, 4)], "[navn][navn]Bente kom"),  # adjacent spans stay apart
        ([(0, 4), (0, 4)], "[navn] og Bente kom"),
        ([(8, 50)], "Anne og [navn]"),  # runs past the end: clipped
        ([(-2, 6)], "[navn] og Bente kom"),  # starts before the text: clipped
        ([(50, 3), (3, 0), (3, -2)], "Anne og Bente kom"),  # outside or empty: ignored
        ([], "Anne og Bente kom"),
    ],
)
def test_name_spans(spans: list[tuple[int, int]], expected: str) -> None:
    assert redact_spans("Anne og Bente kom", spans) == expected


def test_names_are_redacted_before_other_pii_so_offsets_stay_right() -> None:
    text = "Anne: a@b.dk, 86821234, Bente"
    assert redact(text, [(0, 4), (24, 5)]) == "[navn]: [email], [telefon], [navn]"


def test_redact_tags_skips_tags_without_a_span() -> None:
    assert redact_tags("Anne her", [{"id": "1"}, {"offset": 0, "length": 4}]) == "[navn] her"
    assert redact_tags("Anne her", None) == "[navn] her"  # no tags, but a first name from the name list
    assert redact_tags("Bussen her", None) == "Bussen her"


def test_cpr_date_rule() -> None:
    assert is_cpr_date("290200") and is_cpr_date("290204") and is_cpr_date("311299")
    assert not is_cpr_date("290201") and not is_cpr_date("300204") and not is_cpr_date("000000")


# --- properties ------------------------------------------------------------------------------------------------------

WORDS = ["hej", "forslag", "cykelsti", "bænke", "Gudenå", "ærgerligt", "å", "grøn", "Ærø", "idé", "tak", "motorvej",
         "legeplads", "skøjtebane", "ring", "skriv"]
EMOJI = ["😀", "👍🏻", "🚲", "❤️", "🇩🇰"]
SEPARATORS = [" ", ", ", ". ", "! ", "? ", ": ", " (", ") ", "\n", " - ", " – ", "", " 😀 "]


def text_around(core: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    """(full text, core) with the core embedded in random Danish text without digits."""
    filler = st.lists(st.sampled_from(WORDS + EMOJI), max_size=6).map(" ".join)
    return st.tuples(filler, st.sampled_from(SEPARATORS), core, st.sampled_from(SEPARATORS), filler).map(
        lambda p: (p[0] + p[1] + p[2] + p[3] + p[4], p[2])
    )


@st.composite
def phones(draw: st.DrawFn) -> str:
    number = draw(st.sampled_from("23456789")) + draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    sep = draw(st.sampled_from([" ", "-", "."]))
    shape = draw(st.sampled_from(["8", "4+4", "2+2+2+2"]))
    prefix = draw(st.sampled_from(["", "+45", "+45 ", "+45-", "0045", "0045 ", "(+45) "]))
    if shape == "4+4":
        # documented exception: without a country code, two years joined by a dash read as a period ("2014-2020")
        assume(prefix or not (sep == "-" and number[:2] in ("19", "20") and number[4:6] in ("19", "20")))
        number = number[:4] + sep + number[4:]
    elif shape == "2+2+2+2":
        number = sep.join(number[i : i + 2] for i in range(0, 8, 2))
    return prefix + number


@st.composite
def cprs(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    serial = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    return day.strftime("%d%m%y") + draw(st.sampled_from(["", "-", " "])) + serial


emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.text(alphabet="abcxyzABCæøå0123456789._+-", min_size=1, max_size=12),
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10), min_size=1,
             max_size=3),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC", min_size=2, max_size=6),
)


@given(text_around(st.one_of(phones(), cprs(), emails)))
def test_pii_never_survives(case: tuple[str, str]) -> None:
    text, pii = case
    out = redact(text)
    assert pii not in out
    assert contains_pii(out) == []


@given(text_around(phones()))
def test_phones_are_found(case: tuple[str, str]) -> None:
    assert contains_pii(case[0]) == ["phone"]


@given(text_around(cprs()))
def test_cprs_are_found(case: tuple[str, str]) -> None:
    assert contains_pii(case[0]) == ["cpr"]


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


ordinary = st.one_of(
    st.integers(1900, 2099).map(str),
    st.tuples(st.integers(1900, 2099), st.integers(1900, 2099)).map(lambda y: f"{y[0]}-{y[1]}"),
    st.integers(1, 9_999_999).map(lambda n: f"{n} kr"),  # up to 7 digits: 8 digits starting 2-9 is a phone
    st.integers(1000, 10**12).map(lambda n: f"{_thousands(n)} kr."),
    st.integers(1000, 9990).map(lambda n: f"{n} Silkeborg"),
    st.tuples(st.integers(1, 31), st.integers(1, 12)).map(lambda d: f"{d[0]}/{d[1]}"),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"kl. {t[0]:02}.{t[1]:02}"),
    st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)).map(lambda d: d.strftime("%d.%m.%Y")),
)
# Between two numbers there is always a word or a comma: "2014 2015" would read as a 4+4 phone number.
NUMBER_GAPS = [" og ", ", ", " i ", " eller ", "; ", " 😀 ", " – ", "\n- "]


@given(st.lists(st.tuples(ordinary, st.sampled_from(NUMBER_GAPS), st.sampled_from(WORDS)), min_size=1, max_size=6))
def test_ordinary_numbers_always_survive(parts: list[tuple[str, str, str]]) -> None:
    text = "".join(number + gap + word + " " for number, gap, word in parts)
    assert redact(text) == text
    assert contains_pii(text) == []


@given(st.one_of(st.text(), text_around(st.one_of(phones(), cprs(), emails, ordinary)).map(lambda c: c[0])))
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@given(st.text(), st.lists(st.tuples(st.integers(-5, 40), st.integers(-5, 40)), max_size=5))
def test_redact_with_spans_is_idempotent_and_total(text: str, spans: list[tuple[int, int]]) -> None:
    once = redact(text, spans)
    assert redact(once) == once
    assert contains_pii(once) == []


@given(st.lists(st.sampled_from(WORDS + EMOJI), min_size=1, max_size=8), st.data())
def test_tagged_names_never_survive(words: list[str], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["Søren Ærø", "Anne fra kommunen", "Åse", "Bjørn 🚲 Ølgaard"]))
    assume(name not in " ".join(words))
    at = data.draw(st.integers(0, len(words)))
    before = " ".join(["x", *words[:at]]) + " "  # "x" keeps the filler from being the name
    text = before + name + " " + " ".join(words[at:])
    out = redact(text, [(len(before), len(name))])
    assert name not in out
    assert out == before + "[navn] " + " ".join(words[at:])


# --- issue 17: the shapes the red team found missing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tlf 223 45 678", "tlf [telefon]"),
        ("tlf 22 345 678", "tlf [telefon]"),
        ("tlf 22-345-678", "tlf [telefon]"),
        ("tlf 86 82 1234", "tlf [telefon]"),
        ("tlf 8682 12 34", "tlf [telefon]"),
        ("tlf +45 12 34 56 78.", "tlf [telefon]."),  # any 8 digits after a country code, and the "+" goes too
        ("tlf (+45) 12 34 56 78", "tlf [telefon]"),
        ("tlf +4512345678", "tlf [telefon]"),
        ("tlf +23456789", "tlf [telefon]"),
        ("cpr 010203.1234", "cpr [cpr]"),
        ("cpr 01.02.03-1234", "cpr [cpr]"),
        ("cpr 01-02-03-1234", "cpr [cpr]"),
        ("cpr 01/02/03 1234", "cpr [cpr]"),
        ("cpr 01.02.2003-1234", "cpr [cpr]"),
        ("skriv jens (at) hansen.dk", "skriv [email]"),
        ("skriv jens[at]hansen[dot]dk", "skriv [email]"),
        ("skriv jens {at} hansen {dot} dk", "skriv [email]"),
        ("skriv jens(a)hansen.dk", "skriv [email]"),
        ("skriv jens snabel-a hansen punktum dk", "skriv [email]"),
        ("skriv jens at hansen dot dk", "skriv [email]"),
        ("skriv jens @ hansen.dk", "skriv [email]"),
        ("skriv JENS@HANSEN.DK", "skriv [email]"),
        ("bor på Vestergade 12, 2. tv, 8600 Silkeborg i dag", "bor på [adresse] i dag"),
        ("bor på Skolevej 4", "bor på [adresse]"),
        ("bor på Anne Maries Vej 12B, st. th.", "bor på [adresse]"),
        ("bor på Silkeborgvej 140, 8600 Silkeborg", "bor på [adresse]"),
        ("bor på Vestergade nr. 12, 1. sal", "bor på [adresse]"),
        ("bilen AB 12 345", "bilen [nummerplade]"),
        ("bilen AB12345", "bilen [nummerplade]"),
        ("bilen AB-12-345", "bilen [nummerplade]"),
    ],
)
def test_issue_17_formats_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert contains_pii(text) != []
    assert contains_pii(expected) == []


@pytest.mark.parametrize(
    "text",
    [
        "Budget 25 000 000 kr og kr. 12 345 678 i alt",  # amounts written with spaces are no 2+3+3 phone
        "den 24 06 2014 kl 10",  # a date with spaces is no 2+2+4 phone
        "den 15.06.2014 1430 borgere",
        "fart på Skovbakken 40 km/t",  # a street and a speed
        "Linje 12 og Bus 3, Kapitel 3, Sommerhus 3, Plads 2 er optaget",
        "bussen til Virklund 2 gange om ugen",
        "CO2 12 345 ton og DK 12 345 678",
        "8600 Silkeborg og 8620 Kjellerup",
    ],
)
def test_issue_17_look_alikes_survive(text: str) -> None:
    assert redact(text) == text
    assert contains_pii(text) == []
