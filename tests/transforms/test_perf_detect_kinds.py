"""detect_kinds judges a repeated comment once and the rules skip work they do not need: the same kinds and reasons
as judging every row on its own, and the rules touched for speed keep their verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from transforms.ideas import classify, detect_kinds

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "facebook.json"


def _one_by_one(df: pd.DataFrame) -> pd.DataFrame:
    verdicts = [classify(m if isinstance(m, str) else None, is_page_reply=bool(p), is_reply=bool(r), tag_count=int(t))
                for m, p, r, t in zip(df["message"], df["is_page_reply"], df["is_reply"], df["tag_count"], strict=True)]
    return pd.DataFrame({"kind": [v.kind for v in verdicts], "kind_reason": [v.reason for v in verdicts]},
                        index=df.index)


def test_repeated_comments_get_the_verdict_of_their_own_context() -> None:
    comments = json.loads(SAMPLE.read_text(encoding="utf-8"))["comments"]
    messages = [c.get("message") for c in comments]
    n = len(messages)
    # every message three times: as a top-level comment, as a reply, and by the Page with a tag; then once more as
    # at first, and some rows without text
    df = pd.DataFrame({
        "message": messages * 4 + [None, "", float("nan")],
        "is_reply": [False] * n + [True] * n + [False] * n + [False] * n + [False] * 3,
        "is_page_reply": [False] * n + [False] * n + [True] * n + [False] * n + [False] * 3,
        "tag_count": [0] * n + [0] * n + [2] * n + [0] * n + [0] * 3,
    }, index=pd.RangeIndex(10, 10 + 4 * n + 3))
    got = detect_kinds(df)
    pd.testing.assert_frame_equal(got, _one_by_one(df))
    page_rows = got["kind"].iloc[2 * n: 3 * n][[bool(m and m.strip()) for m in messages]]
    assert page_rows.eq("staff").all()  # the Page's rows with text did not take the citizens' verdicts
    assert (got["kind"].iloc[:n].to_numpy() == got["kind"].iloc[3 * n: 4 * n].to_numpy()).all()
    assert got["kind"].iloc[:n].nunique() >= 4


@pytest.mark.parametrize(("message", "kind", "reason"), [
    ("Gratis tilbud på vinduespudsning, ring til os på tlf 12345678", "spam", "advert ('gratis tilbud')"),
    ("Se mere på www.vinduer-billigt.dk - gratis tilbud", "spam", "a link with sales words"),
    ("Ring til kommunen i morgen", "idea", "a wish written without a verb"),  # one advert cue alone is no advert
    ("Elendig belysning på stien ved skolen!", "complaint", "complaint without a demand ('elendig')"),
    ("Lys på stien ved skolen, det er elendigt", "idea", "a wish written without a verb"),
    ("Kan man sende idéer på mail?", "question", "question without a proposal"),
    ("Kan vi ikke få en cykelsti?", "idea", "proposal word 'kan vi ikke'"),
    ("Skandale at stien stadig er mørk", "complaint", "complaint without a demand ('skandale')"),
])
def test_the_rules_touched_for_speed_keep_their_verdicts(message: str, kind: str, reason: str) -> None:
    verdict = classify(message)
    assert (verdict.kind, verdict.reason) == (kind, reason)
