"""Redaction of personal data in comment text: tagged names, e-mail addresses, Danish phone and CPR numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

NAME, EMAIL, PHONE, CPR = "[navn]", "[email]", "[telefon]", "[cpr]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# CPR: DDMMYY then 4 digits, optionally separated by a dash or a space; not part of a longer digit run.
_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[- ]?(\d{4})(?![\d])")
# Danish phone numbers: optional +45/0045, then 8 digits starting 2-9, together or in groups of 2/4 digits.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[ .-]?)?"
    r"(?:[2-9]\d{7}|[2-9]\d(?:[ .-]\d{2}){3}|[2-9]\d{3}[ .-]\d{4})(?![\d])"
)


def _valid_cpr_date(day: str, month: str, year: str) -> bool:
    try:
        # 2000 is a leap year, so a 29 February is valid for every YY divisible by 4.
        dt.date(2000 + int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _cpr(match: re.Match[str]) -> str:
    return CPR if _valid_cpr_date(match.group(1), match.group(2), match.group(3)) else match.group(0)


def redact_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Replace the code-point spans (offset, length) of tagged people with `[navn]`, right to left."""
    chars = text
    taken: list[tuple[int, int]] = []
    for offset, length in sorted(spans, reverse=True):
        start, end = max(0, int(offset)), min(len(chars), int(offset) + int(length))
        if start >= end or any(start < b and a < end for a, b in taken):
            continue
        chars = chars[:start] + NAME + chars[end:]
        taken.append((start, end))
    return chars


def redact(text: str, tag_spans: Sequence[tuple[int, int]] = ()) -> str:
    """Redact tagged names (by code-point spans), e-mails, valid CPR numbers and Danish phone numbers.

    A bare 8-digit number starting with 2-9 is treated as a phone number: a municipality would rather redact a rare
    8-digit figure than leak a phone number. Years, amounts, postcodes and dates are left alone.
    """
    out = redact_spans(text, tag_spans) if tag_spans else text
    out = _EMAIL.sub(EMAIL, out)
    out = _CPR.sub(_cpr, out)
    return _PHONE.sub(PHONE, out)


def redact_tags(text: str, message_tags: Sequence[dict[str, Any]] | None) -> str:
    """`redact` with the spans taken from a Graph API `message_tags` list."""
    spans = [(int(t["offset"]), int(t["length"])) for t in message_tags or [] if "offset" in t and "length" in t]
    return redact(text, spans)


def contains_pii(text: str) -> list[str]:
    """The kinds of personal data (email, phone, cpr) still present in a text."""
    kinds = []
    if _EMAIL.search(text):
        kinds.append("email")
    if _PHONE.search(text):
        kinds.append("phone")
    if any(_valid_cpr_date(m.group(1), m.group(2), m.group(3)) for m in _CPR.finditer(text)):
        kinds.append("cpr")
    return kinds
