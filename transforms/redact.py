"""Redaction of personal data in comment text: tagged names, e-mail addresses, Danish phone and CPR numbers.

Phone numbers: 8 digits starting 2-9, optionally after +45, 0045 or (+45), written together (86821234), as 4+4
(8682 1234) or as 2+2+2+2 (86 82 12 34), separated by spaces, dashes or dots. CPR numbers: DDMMYY-NNNN, DDMMYYNNNN or
DDMMYY NNNN where DDMMYY is a date. Neither is recognised inside a longer run of digits.

The rules lean towards over-redaction: a municipality would rather lose a rare 8-digit figure than publish a phone
number. What they leave alone, so planners keep the substance: years (2014) and year ranges (2014-2020), amounts
(5000 kr, 1.500.000 kr), postcodes (8600 Silkeborg), dates (15/6, 15.06.2014), times (kl. 14.30), and digit runs longer
than a phone or CPR number. Only ASCII digits are recognised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

NAME, EMAIL, PHONE, CPR = "[navn]", "[email]", "[telefon]", "[cpr]"

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+"  # local part, from the start of its run (keeps the scan linear on long words)
    r"@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"  # domain with any subdomains and a letter TLD
)
# CPR: DDMMYY and four digits, written together or with a dash or a space, not inside a longer digit run.
# Whether DDMMYY is a date is checked in code.
_CPR = re.compile(r"(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})[- ]?[0-9]{4}(?![0-9])")
# Danish phone numbers: optional +45 / 0045 / (+45), then 8 digits starting 2-9, written together, as 4+4 or as
# 2+2+2+2, with one kind of separator (space, dash or dot) throughout, so "kl. 20.30-21.30" is no phone. Not inside a
# longer digit run. "2014-2020" (two years 19xx/20xx joined by a dash) is a period, not a phone, unless a country
# code says otherwise ("+45 2014-2020").
_PHONE = re.compile(
    r"(?<![0-9])"
    r"(?:(?:\((?:\+|00)45\)|(?:\+|00)45)[ .-]?|(?!(?:19|20)[0-9]{2}-(?:19|20)[0-9]{2}(?![0-9])))"
    r"(?:[2-9][0-9]{7}"
    r"|[2-9][0-9]{3}[ .-][0-9]{4}"
    r"|[2-9][0-9](?P<sep>[ .-])[0-9]{2}(?P=sep)[0-9]{2}(?P=sep)[0-9]{2})"
    r"(?![0-9])"
)


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


def _cpr(match: re.Match[str]) -> str:
    return CPR if is_cpr_date("".join(match.group(1, 2, 3))) else match.group(0)


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
    """Redact tagged names, e-mail addresses, CPR numbers and Danish phone numbers.

    First the names at `tag_spans` (code-point (offset, length) pairs from `message_tags`) become `[navn]`, then
    e-mail addresses `[email]`, CPR numbers `[cpr]` (DDMMYY-NNNN, DDMMYYNNNN or DDMMYY NNNN, where DDMMYY is a
    valid date) and Danish phone numbers `[telefon]` (see the module docstring for the shapes).

    A bare run of exactly 8 digits starting with 2-9 (e.g. "23456789") counts as a phone number: every Danish number
    looks like that, and a municipality would rather redact a rare 8-digit figure than leak a phone number. A 10-digit
    run whose first six digits form a valid date counts as a CPR number for the same reason.
    Idempotent: redacting a redacted text changes nothing.
    """
    out = redact_spans(text, tag_spans) if tag_spans else text
    out = _EMAIL.sub(EMAIL, out)
    out = _CPR.sub(_cpr, out)
    return _PHONE.sub(PHONE, out)


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
    """The kinds of personal data still found in a text, in the order "email", "phone", "cpr"; empty when clean.

    Tagged names cannot be found without their spans, so they are not reported.
    """
    kinds = []
    if _EMAIL.search(text):
        kinds.append("email")
    if _PHONE.search(text):
        kinds.append("phone")
    if any(is_cpr_date("".join(m.group(1, 2, 3))) for m in _CPR.finditer(text)):
        kinds.append("cpr")
    return kinds
