"""Redaction of personal data in comment text: names (tagged and untagged), e-mail addresses, Danish phone and CPR
numbers, street addresses and licence plates.

Phone numbers: 8 digits starting 2-9, or any 8 digits after +45, 0045 or (+45), written together (86821234), as 4+4
(8682 1234), 2+2+2+2 (86 82 12 34), 3+2+3 (223 45 678) or 2+3+3 (22 345 678), separated by spaces, dashes or dots (one
kind throughout), or as 2+2+4 or 4+2+2 with spaces. CPR numbers: DDMMYY and four digits, written together or with
`-`, `.`, `/` or a space before the four, and the date itself with or without dots, dashes or slashes
(01.02.03-1234); DD.MM.YYYY-NNNN too. E-mail addresses also when written around a filter (`jens (at) hansen.dk`,
`jens[at]hansen[dot]dk`, `jens snabel-a hansen punktum dk`). Addresses: a street name and house number, with the
floor and side and the postcode and town that follow it (`Vestergade 12, 2. tv, 8600 Silkeborg`). Licence plates:
two capital letters and five digits (`AB 12 345`).

Untagged names come from the name lists in `transforms/data/` (Danish first names and surnames from Faker and
mimesis, both MIT; see its NOTICE.md). A capitalised first name followed by capitalised surnames or middle names is a
full name; a first name on its own is redacted where it stands capitalised, except first names that are also
ordinary words ("Bo", "Per", "Tage"), which need a full name or a cue that a person is meant ("Spørg Per", "min nabo
Bo", "Per har ret"). A place name is never redacted on its own (many are surnames too: "Funder", "Kjellerup"), only
inside a full name ("Jens Funder").

The rules lean towards over-redaction: a municipality would rather lose a rare 8-digit figure than publish a phone
number. What they leave alone, so planners keep the substance: years (2014) and year ranges (2014-2020), amounts
(5000 kr, 1.500.000 kr, 25 000 000 kr), postcodes with their town (8600 Silkeborg), dates (15/6, 15.06.2014), times
(kl. 14.30), digit runs longer than a phone or CPR number, place names, and ordinary capitalised words at the start
of a sentence ("Bus", "Skov", "Lys"). Only ASCII digits are recognised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

NAME, EMAIL, PHONE, CPR = "[navn]", "[email]", "[telefon]", "[cpr]"
ADDRESS, PLATE = "[adresse]", "[nummerplade]"
PLACEHOLDERS = (NAME, EMAIL, PHONE, CPR, ADDRESS, PLATE)

# --- e-mail addresses --------------------------------------------------------------------------------------------
_LOCAL = r"(?<![\w.+-])[\w.+-]+"  # from the start of its run (keeps the scan linear on long words)
_EMAIL = re.compile(_LOCAL + r"@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# The same address written around a spam filter: "@" or "at" in brackets, "snabel-a", " at " between words, with a
# dot written "." or as "dot"/"punktum" in brackets or between spaces. A bare " at " only counts when the dot is
# written out too: Danish "at" is a common word ("godt at silkeborg.dk ...").
_BR_AT = r"\s*[(\[{<]\s*(?:at|a|@|snabel-?a)\s*[)\]}>]\s*"
_BR_DOT = r"\s*[(\[{<]\s*(?:dot|punktum|prik|\.)\s*[)\]}>]\s*|\s+(?:dot|punktum)\s+"
_OBFUSCATED = re.compile(
    r"(?i:" + _LOCAL + r"(?:"
    r"(?:" + _BR_AT + r"|\s*@\s+|\s+@\s*|\s+snabel-?a\s+)[\w-]+(?:(?:\.|" + _BR_DOT + r")[\w-]+)*(?:\.|" + _BR_DOT
    + r")[a-z]{2,}"
    r"|\s+at\s+[\w-]+(?:(?:\.|" + _BR_DOT + r")[\w-]+)*(?:" + _BR_DOT + r")[a-z]{2,}"
    r"))(?![\w@])"
)

# --- CPR numbers -------------------------------------------------------------------------------------------------
# DDMMYY (its parts joined by one kind of separator, "." "/" or "-", or none; a four-digit year only before a dash),
# then four digits, not inside a longer digit run. Whether DDMMYY is a date is checked in code.
_CPR = re.compile(
    r"(?<![0-9])(?<![0-9][./-])(?P<d>[0-9]{2})(?P<ds>[./-]?)(?P<m>[0-9]{2})(?P=ds)(?P<y>(?:19|20)?[0-9]{2})"
    r"(?P<ss>[./ -]?)[0-9]{4}(?![0-9])"
)


# --- phone numbers -----------------------------------------------------------------------------------------------
def _shapes(first: str, tag: str) -> str:
    """The ways of writing 8 digits whose first is in `first`; group names carry `tag` (they must be unique)."""
    d = "[0-9]"
    return "|".join([
        rf"{first}{d}{{7}}",
        rf"{first}{d}{{3}}[ .-]{d}{{4}}",
        rf"{first}{d}(?P<{tag}a>[ .-]){d}{{2}}(?P={tag}a){d}{{2}}(?P={tag}a){d}{{2}}",
        rf"{first}{d}{{2}}(?P<{tag}b>[ .-]){d}{{2}}(?P={tag}b){d}{{3}}",
        rf"(?P<{tag}233>{first}{d}(?P<{tag}c>[ -]){d}{{3}}(?P={tag}c){d}{{3}})",  # dots: 22.345.678 is an amount
        rf"(?P<{tag}224>{first}{d} {d}{{2}} {d}{{4}})",
        rf"{first}{d}{{3}} {d}{{2}} {d}{{2}}",
    ])


# With a country code (+45, 0045, (+45)) any 8 digits; without one, 8 digits starting 2-9, and "2014-2020" (two
# years joined by a dash) is a period, not a phone. Never right after a digit or a "+" that is not part of it.
_PHONE = re.compile(
    r"(?<![0-9+])(?<![0-9][./-])"  # not "2014 1430" of "15.06.2014 1430", nor a piece of a longer run
    r"(?:(?:\((?:\+|00)45\)|(?:\+|00)45)[ .-]?(?:" + _shapes("[0-9]", "cc") + r")"
    r"|\+?(?!(?:19|20)[0-9]{2}-(?:19|20)[0-9]{2}(?![0-9]))(?:" + _shapes("[2-9]", "dk") + r"))"
    r"(?![0-9]|[.,][0-9])"
)
_AMOUNT_AFTER = re.compile(r"\s*(?:kr\b|kroner|dkk|mio|mia|mill|euro|eur\b|€|\$|m2|m²|kvm|km|indbyggere|borgere|"
                           r"personer|mennesker|biler|ton\b|liter)", re.IGNORECASE)
_AMOUNT_BEFORE = re.compile(r"(?:kr\.?|dkk|€|\$)\s*$", re.IGNORECASE)

# --- licence plates and addresses ----------------------------------------------------------------------------------
_PLATE = re.compile(r"(?<![\w-])[A-ZÆØÅ]{2}[ -]?[0-9]{2}[ -]?[0-9]{3}(?![\w-]|[ .,-]?[0-9])")
_STREET_ENDINGS = (
    "vej|vejen|gade|gaden|allé|alle|alléen|stræde|strædet|plads|pladsen|torv|torvet|vænge|vænget|park|parken|sti|"
    "stien|bakke|bakken|vang|vangen|toft|toften|tofte|have|haven|boulevard|krog|krogen|kær|kæret|eng|engen|hegn|"
    "hegnet|dal|dalen|høj|højen|mark|marken|ager|agre|lund|lunden|holm|holmen|bjerg|bjerget|brink|brinken|skrænt|"
    "skrænten|løkke|løkken|kvarter|kvarteret|gyde|gyden|passage|promenade|promenaden|kaj|kajen|ring|ringen|sving|"
    "svinget|leddet|husene"
)
_STREET = (
    r"[A-ZÆØÅ][a-zæøåéü-]*(?:" + _STREET_ENDINGS + r")"  # "Vestergade", "Gl.-Skolevej"
    r"|(?:[A-ZÆØÅ][\w.'-]*\s+){1,3}(?:" + _STREET_ENDINGS.title() + r")"  # "Anne Maries Vej", "Gl. Kongevej"
)
_ADDRESS = re.compile(
    r"(?<![\w-])(?P<street>" + _STREET + r")\s+(?:nr\.?\s*)?[1-9][0-9]{0,2}(?:\s?[A-Za-z](?![\w]))?"
    r"(?![0-9]|[.,][0-9]|\s*(?:km|kr|%|m\b|meter|min|minutter|timer|år|gange|biler|pladser|cm|kg|procent|elever|"
    r"børn|mennesker|personer|boliger|huse|lejligheder))"
    r"(?:,?\s*(?:(?:[0-9]{1,2}\.?|st\.?|kl\.?)\s*(?:sal\b\.?)?,?\s*(?:tv|th|mf)\b\.?|(?:[0-9]{1,2}\.?\s*sal\b\.?)|st\.|"
    r"kl\.))?"
    r"(?:,?\s*[0-9]{4}\s+[A-ZÆØÅ][\wæøå-]+(?:\s+[A-ZÆØÅ]\b|\s+[A-ZÆØÅ][a-zæøå]+(?=\s*$|[.,;!?]))?)?"
)


# --- names -------------------------------------------------------------------------------------------------------
class _Lists(NamedTuple):
    first: frozenset[str]  # lower case; first names that are no ordinary word and no place
    cued: frozenset[str]  # first names that are words or places: only in a full name or after a cue
    surnames: frozenset[str]
    places: frozenset[str]


@cache
def _lists() -> _Lists:
    folder = Path(__file__).with_name("data")

    def read(name: str) -> frozenset[str]:
        return frozenset((folder / f"{name}.txt").read_text(encoding="utf-8").lower().split())

    first, words, surnames, places = (read(n) for n in ("first_names", "first_names_words", "surnames", "places"))
    return _Lists(first - places, (words | first) & places | words, surnames, places)


_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CAMEL = re.compile(r"[A-ZÆØÅ][a-zæøåéü]+")
_SURNAME_SHAPE = re.compile(r"(?:sen|søn|gaard|gård|strup|rup|holm|lund|skov|bjerg|berg|dahl|bæk|kjær|toft|høj|"
                            r"borg|feldt|mann)s?")
_SENTENCE_GAP = re.compile(r"[.!?:;\n]")
# Words before a name that say a person is meant ("Spørg Per", "min nabo Bo", "Hej Tage").
_CUE_BEFORE = re.compile(
    r"(?<!\w)(?:spørg|hej|hejsa|hey|hi|kære|tak|tak til|takket være|hilsen|mvh|vh|kh|knus|ifølge|enig med|"
    r"uenig med|ring til|skriv til|kontakt|snak med|tal med|spurgte|(?:min|vores|din|jeres)\s+(?:nabo|ven|veninde|"
    r"mand|kone|kæreste|søn|datter|mor|far|bror|søster|svoger|svigerinde|kollega|genbo|underbo|overbo))\s*$"
    r"|/\s*$",
    re.IGNORECASE,
)
# Words after a name that say a person is meant ("Per har ret", "Bo skriver", "Tage fra kommunen").
_CUE_AFTER = re.compile(
    r"\s+(?:har ret|har fuldstændig ret|har en pointe|skriver|skrev|siger|sagde|mener|foreslår|foreslog|spørger|"
    r"har skrevet|nævner|fra kommunen|fra [A-ZÆØÅ]\w* [Kk]ommune)\b"
)


def _known(low: str, names: frozenset[str]) -> bool:
    """`low` (lower case) is in `names`, in its genitive, or hyphenated from them ("anne-marie", "kjær-hansen")."""
    if low in names or (low.endswith("s") and low[:-1] in names):
        return True
    return "-" in low and all(p in names for p in low.rstrip("s").split("-"))


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, shaped as a trie so that the engine never tries two words letter by letter
    (a plain alternation of a thousand names is slow)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        alternatives = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if "" in node:
            return f"(?:{body})?" if len(alternatives) == 1 else body + "?"
        return body

    return pattern(tree)


@cache
def _hits() -> re.Pattern[str]:
    """Where a name may start in a lower-cased text: a word of the lists (or its genitive), or "@" before a word."""
    lists = _lists()
    words = trie_pattern(lists.first | lists.cued | lists.surnames)
    return re.compile(r"\b(?:" + words + r")s?\b|@(?=[^\W\d_])")


_NEXT_WORD = re.compile(r"[ -]([^\W\d_]+)")


def _name_part(word: str, lists: _Lists) -> bool:
    """Whether a word after a first name continues the name: a capitalised middle name or surname."""
    if not word[0].isupper():
        return False
    low = word.lower()
    if _known(low, lists.surnames) or _known(low, lists.first) or _known(low, lists.cued):
        return True  # "JENS HANSEN" too
    shaped = len(low) > 4 and _SURNAME_SHAPE.search(low) is not None  # "Rosenlund", "Bjerrehave" is not
    return shaped and not word.isupper() and not _known(low, lists.places)


def _follow(text: str, end: int, lists: _Lists) -> int:
    """The end of the middle names and surnames (at most four) that follow a first name ending at `end`."""
    for _ in range(4):
        match = _NEXT_WORD.match(text, end)
        if not match or not _name_part(match.group(1), lists):
            break
        end = match.end()
    return end


def _cue(text: str, start: int, end: int) -> bool:
    return bool(_CUE_BEFORE.search(text, max(0, start - 40), start) or _CUE_AFTER.match(text, end))


def _name_end(text: str, start: int, end: int, lists: _Lists) -> int:
    """The end of the name whose first word is `text[start:end]`, or `start` when that word is no name here."""
    word = text[start:end]
    low, cap = word.lower(), word[0].isupper()
    first = _known(low, lists.first)
    full = _follow(text, end, lists)
    if cap and (first or _known(low, lists.cued)) and full > end:
        return full  # a full name: "Jens Hansen", "Bo Kragh", "Anne-Mette Kjær"
    if first and not cap:
        after = _NEXT_WORD.match(text, end)
        if after and after.group(0)[0] == " " and after.group(1).endswith(("sen", "gaard", "gård")) and _known(
                after.group(1), lists.surnames):
            return after.end()  # "jens hansen"
    if first and (cap or _cue(text, start, end)):
        return end  # "Kirsten har ret", "min nabo jens"
    other = _known(low, lists.cued) or _known(low, lists.surnames)
    if cap and other and not _known(low, lists.places) and _cue(text, start, end):
        return end  # "Spørg Per", "Per har ret", "Enig med Hansen"
    return start


def _mention_end(text: str, at: int, lists: _Lists) -> int:
    """The end of an untagged mention "@Louise", "@Morten Lund", "@PeterHansen", or `at` when it names no one the
    lists know."""
    word = _TOKEN.match(text, at + 1)
    if word is None:
        return at
    low = word.group().lower()
    if _known(low, lists.places):
        return at  # "@Silkeborg"
    full = _follow(text, word.end(), lists) if word.group()[0].isupper() else word.end()
    parts = [p.lower() for p in _CAMEL.findall(word.group())] + [low]
    if full > word.end() or any(_known(p, lists.first) or _known(p, lists.cued) or _known(p, lists.surnames)
                                for p in parts):
        return full  # a known name, one with a surname after it, or one inside a handle ("@PeterHansen")
    return at  # "@SUM(1+1)", "@kommunen": no name of the lists


def _name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each untagged name in `text`, in order, not overlapping."""
    lists = _lists()
    spans: list[tuple[int, int]] = []
    done = 0
    low = text.lower()
    if len(low) != len(text):  # a few characters change length in lower case ("İ"): offsets would not match
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    for hit in _hits().finditer(low):
        start = hit.start()
        if start < done:
            continue
        end = _mention_end(text, start, lists) if hit.group() == "@" else _name_end(text, start, hit.end(), lists)
        if end > start:
            spans.append((start, end))
            done = end
    return spans


def redact_untagged_names(text: str) -> str:
    """Replace the names `transforms/data/`'s lists find in `text` with `[navn]` (see the module docstring)."""
    spans = _name_spans(text)
    return redact_spans(text, [(s, e - s) for s, e in spans]) if spans else text


def _address(match: re.Match[str]) -> str:
    street = match["street"]
    if " " not in street and _known(street.lower(), _lists().places):
        return match.group(0)  # "Virklund 2 gange om ugen": a town and a number
    return ADDRESS


def is_cpr_date(ddmmyy: str) -> bool:
    """Whether six digits DDMMYY are a calendar date in 19YY or 20YY.

    The century digit is not used: 29 February counts for every YY divisible by 4 (2000 was a leap year, so 290200 is
    valid even though 1900 was not).
    """
    try:
        dt.date(2000 + int(ddmmyy[4:6]), int(ddmmyy[2:4]), int(ddmmyy[0:2]))
    except ValueError:
        return False
    return True


def _is_cpr(match: re.Match[str]) -> bool:
    year = match["y"]
    if len(year) == 4 and match["ss"] != "-":  # "15.06.2014 1430" is a date and a time
        return False
    return is_cpr_date(match["d"] + match["m"] + year[-2:])


def _cpr(match: re.Match[str]) -> str:
    return CPR if _is_cpr(match) else match.group(0)


def _is_phone(match: re.Match[str], text: str) -> bool:
    if match["dk233"] and (_AMOUNT_AFTER.match(text, match.end()) or _AMOUNT_BEFORE.search(text, 0, match.start())):
        return False  # "25 000 000 kr" is an amount written with spaces
    if match["dk224"]:  # "24 06 2014" is a date
        d, m, y = match["dk224"].split()
        return not (y[:2] in ("19", "20") and is_cpr_date(d + m + y[2:]))
    return True


def _sub_phones(text: str) -> str:
    return _PHONE.sub(lambda m: PHONE if _is_phone(m, text) else m.group(0), text)


def redact_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Replace each code-point span (offset, length) with `[navn]`.

    Graph API `message_tags` offsets count Unicode code points, which is what Python indexes a `str` by. Spans are
    clipped to the text, empty ones ignored, and overlapping ones merged, so a bad span never leaks part of a name.
    """
    clipped = sorted((max(0, int(o)), min(len(text), int(o) + int(n))) for o, n in spans)
    merged: list[list[int]] = []
    for start, end in clipped:
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, done = [], 0
    for start, end in merged:
        pieces += [text[done:start], NAME]
        done = end
    return "".join(pieces) + text[done:]


def redact(text: str, tag_spans: Sequence[tuple[int, int]] = ()) -> str:
    """Redact tagged and untagged names, e-mail addresses, CPR numbers, Danish phone numbers, licence plates and
    street addresses.

    First the names at `tag_spans` (code-point (offset, length) pairs from `message_tags`) become `[navn]`, then
    e-mail addresses `[email]`, CPR numbers `[cpr]` (where DDMMYY is a valid date), Danish phone numbers `[telefon]`,
    licence plates `[nummerplade]`, addresses `[adresse]` and the names the name lists find `[navn]` (see the module
    docstring for the shapes).

    A bare run of exactly 8 digits starting with 2-9 (e.g. "23456789") counts as a phone number: every Danish number
    looks like that, and a municipality would rather redact a rare 8-digit figure than leak a phone number. A 10-digit
    run whose first six digits form a valid date counts as a CPR number for the same reason.
    Idempotent: redacting a redacted text changes nothing.
    """
    out = redact_spans(text, tag_spans) if tag_spans else text
    if "@" in out:
        out = _EMAIL.sub(EMAIL, out)
    if _might_be_obfuscated(out):
        out = _OBFUSCATED.sub(EMAIL, out)
    if _DIGIT.search(out):  # the cheap tests first: most comments have no digits, and few have 8 near each other
        if _DIGIT_RUN.search(out):
            out = _sub_phones(_CPR.sub(_cpr, out))
        out = _ADDRESS.sub(_address, _PLATE.sub(PLATE, out))
    return redact_untagged_names(out)


_DIGIT = re.compile("[0-9]")
_DIGIT_RUN = re.compile(r"[0-9][0-9 ./()+-]{6,}[0-9]")  # every phone and CPR number has one


def _might_be_obfuscated(text: str) -> bool:
    """A cheap test that `_OBFUSCATED` may match: it needs "@", a bracket, "snabel-a" or a written-out dot."""
    if "@" in text or "(" in text or "[" in text or "{" in text or "<" in text:
        return True
    low = text.lower()
    return "snabel" in low or " dot " in low or "punktum" in low


def redact_names(text: str, names: Sequence[str]) -> str:
    """Replace each of `names` (a person's name, or parts of it) with `[navn]` where it stands as a whole word,
    ignoring case; the longest first, so "Mette Hansen" goes as one. E-mail addresses are left whole, so `redact` still
    recognises them (a name inside an address must not break it into pieces that are no longer an address)."""
    words = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not words:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    pieces, done = [], 0
    for address in _EMAIL.finditer(text):
        pieces += [pattern.sub(NAME, text[done:address.start()]), address.group(0)]
        done = address.end()
    return "".join(pieces) + pattern.sub(NAME, text[done:])


def redact_tags(text: str, message_tags: Sequence[dict[str, Any]] | None) -> str:
    """`redact` with the spans of a Graph API `message_tags` list; tags without offset or length are skipped."""
    spans = [(int(t["offset"]), int(t["length"])) for t in message_tags or () if "offset" in t and "length" in t]
    return redact(text, spans)


def contains_pii(text: str) -> list[str]:
    """The kinds of personal data still found in a text, in the order "email", "phone", "cpr", "plate", "address";
    empty when clean.

    Names are not reported: tagged ones cannot be found without their spans, and a name list is no proof of absence.
    """
    kinds = []
    if _EMAIL.search(text) or (_might_be_obfuscated(text) and _OBFUSCATED.search(text)):
        kinds.append("email")
    if any(_is_phone(m, text) for m in _PHONE.finditer(text)):
        kinds.append("phone")
    if any(_is_cpr(m) for m in _CPR.finditer(text)):
        kinds.append("cpr")
    if _PLATE.search(text):
        kinds.append("plate")
    if any(_address(m) == ADDRESS for m in _ADDRESS.finditer(text)):
        kinds.append("address")
    return kinds
