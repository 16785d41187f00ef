"""Place tagging on a labelled sample (benchmarks/places_gold.csv: sentences written for it, plus a few from the
bundled sample; in-sample, since the rules were tuned while writing it). `places_report()` returns markdown."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.places import find_places  # noqa: E402

GOLD = ROOT / "benchmarks" / "places_gold.csv"
CHECK_LIST = ("Kjellerup", "Them", "Sorring", "Gjern", "Funder", "Lemming", "Virklund", "Resenbro", "Gødvad",
              "Alderslyst")


def load_gold(path: Path = GOLD) -> list[tuple[str, set[str]]]:
    """(text, the places it names) per labelled sentence."""
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["text"], {p.strip() for p in r["places"].split(";") if p.strip()}) for r in csv.DictReader(f)]


def _scores(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float, int, int, int]:
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


def places_report(path: Path = GOLD) -> str:
    """Precision and recall of place tagging, over all places and over the check list's ten, with the errors."""
    gold = load_gold(path)
    pairs = [(g, {p.name for p in find_places(t)}) for t, g in gold]
    check = [({x for x in g if x in CHECK_LIST}, {x for x in p if x in CHECK_LIST}) for g, p in pairs]
    lines = ["## Place tagging", "",
             f"{len(gold)} labelled sentences (`benchmarks/places_gold.csv`, in-sample).", "",
             "| places | precision | recall | found | wrong | missed |", "|---|---|---|---|---|---|"]
    for name, rows in (("all", pairs), ("check list (10 Silkeborg villages)", check)):
        prec, rec, tp, fp, fn = _scores(rows)
        lines.append(f"| {name} | {prec:.3f} | {rec:.3f} | {tp} | {fp} | {fn} |")
    errors = [(t, sorted(g - p), sorted(p - g)) for (t, _), (g, p) in zip(gold, pairs, strict=True) if g != p]
    if errors:
        lines += ["", "Errors (missed / wrong):", ""]
        lines += [f"- {t[:80]!r}: missed {', '.join(m) or '-'}; wrong {', '.join(w) or '-'}" for t, m, w in errors]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(places_report())
