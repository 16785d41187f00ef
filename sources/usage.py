"""Read the Graph API's rate-limit usage headers (X-Business-Use-Case-Usage, X-App-Usage, X-Page-Usage)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PERCENT_KEYS = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")


@dataclass(frozen=True)
class Usage:
    """The highest usage percentage any header reports, and the longest announced wait."""

    percent: int = 0
    regain_seconds: float = 0.0


def _entries(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if name == "X-Business-Use-Case-Usage" and isinstance(value, dict):
            found += [e for entries in value.values() if isinstance(entries, list) for e in entries
                      if isinstance(e, dict)]
        elif isinstance(value, dict):
            found.append(value)
    return found


def parse_usage(headers: Mapping[str, str]) -> Usage:
    """Max percentage and max `estimated_time_to_regain_access` (minutes → seconds) over all usage headers."""
    percent, regain = 0, 0.0
    for entry in _entries(headers):
        for key in _PERCENT_KEYS:
            if isinstance(entry.get(key), int | float):
                percent = max(percent, int(entry[key]))
        minutes = entry.get("estimated_time_to_regain_access")
        if isinstance(minutes, int | float):
            regain = max(regain, float(minutes) * 60)
    return Usage(percent, regain)
