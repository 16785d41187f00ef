"""Issue 21: Instagram questions and complaints reach the people who answer. A Facebook thread and an Instagram media
are served by the Graph API stand-in over HTTP on loopback, read by the real readers into a real DuckDB file, given
their kinds by the real idea detection and exported: view `dialogue` and dialog.csv / dialog.xlsx list both channels'
questions, answered when the account itself (or a signed employee) replies in the thread, with no link for
Instagram, no username anywhere and hidden comments left out; view `channel_comments` holds every Instagram comment."""

from __future__ import annotations

import copy
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "warehouse"))
import dialoguekit as kit  # noqa: E402
import ingestkit  # noqa: E402  (on the path through dialoguekit)

from flows.pipeline import find_ideas, find_imported_ideas, ingest_channel  # noqa: E402
from flows.settings import Consultation  # noqa: E402
from sources.standin import DEFAULT_TOKEN, GraphStandIn  # noqa: E402
from warehouse import db, export  # noqa: E402

MEDIA = "17912345678901234"
OWNER = {"id": "17841401234567890", "username": "silkeborgkommune"}
CITIZEN, NEIGHBOUR, RUDE = "mette.holm_", "jens.p.andersen", "=HYPERLINK(evil)"


def _comment(cid: str, minute: int, user: str, user_id: str, text: str, *, hidden: bool = False,
             replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": cid, "text": text, "timestamp": f"2014-05-03T10:{minute:02d}:00+0000", "username": user,
            "user_id": user_id, "like_count": 3, "hidden": hidden, "replies": replies or []}


def instagram() -> dict[str, Any]:
    """One media: a question the account answers 30 min later, a question nobody from the municipality answers
    (a neighbour replies, mentioning the asker), and a question the account has hidden."""
    answer = _comment("18000000000000002", 30, OWNER["username"], OWNER["id"],
                      "Byggeriet starter i august, vi skriver mere her.")
    neighbour = _comment("18000000000000004", 20, NEIGHBOUR, "17800000000000002",
                         f"@{CITIZEN} det undrer mig også")
    return {"account": dict(OWNER), "media": [{
        "id": MEDIA, "caption": "Hvad skal der være oven på motorvejen?", "timestamp": "2014-05-03T09:00:00+0000",
        "media_type": "IMAGE",
        "comments": [
            _comment("18000000000000001", 0, CITIZEN, "17800000000000001",
                     "Hvornår starter byggeriet? Ring til mig på 23 45 67 89", replies=[answer]),
            _comment("18000000000000003", 10, RUDE, "17800000000000003",
                     "Hvornår kommer der svar på det her?", replies=[neighbour]),
            _comment("18000000000000005", 40, NEIGHBOUR, "17800000000000002", "Hvornår starter byggeriet?",
                     hidden=True),
        ],
    }]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("instagram-dialogue")
    warehouse, out = tmp / "wh.duckdb", tmp / "exports"
    consultation = Consultation(slug=kit.SLUG, title="Dialog", post_ids=[ingestkit.POST_ID],
                                instagram_media_ids=[MEDIA])
    with pytest.MonkeyPatch.context() as mp, \
            GraphStandIn(kit.dataset(), instagram=copy.deepcopy(instagram())) as standin:
        mp.setenv("FACEBOOK_GRAPH_URL", standin.url)
        mp.setenv("FACEBOOK_ACCESS_TOKEN", DEFAULT_TOKEN)
        mp.setenv("CIVIC_IDEAS_SALT", "instagram-dialogue-salt")
        mp.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp / "no-salt-file"))
        ingestkit.ingest(standin, warehouse)
        ingest_channel.fn(str(warehouse), "instagram", consultation)
    find_ideas.fn(str(warehouse), kit.SLUG)
    find_imported_ideas.fn(str(warehouse), kit.SLUG)
    with db.session(str(warehouse), read_only=True) as con:
        export.export_consultation(con, kit.SLUG, out, title="Dialog")
    yield warehouse, out / kit.SLUG


def _q(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_instagram_questions_are_in_the_dialogue_answered_by_the_account_or_not(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    rows = {r[0]: r[1:] for r in _q(warehouse, """select comment_id, channel, kind, answered, hours_to_first_reply,
                                                         permalink_url from dialogue where channel = 'instagram'""")}
    assert rows == {
        "instagram:18000000000000001": ("instagram", "question", True, 0.5, None),  # the account replied 30 min on
        "instagram:18000000000000003": ("instagram", "question", False, None, None),  # only a neighbour replied
    }  # the hidden question and the replies are not listed; no permalink for Instagram
    facebook = _q(warehouse, "select count(*), min(channel), max(channel) from dialogue where channel <> 'instagram'")
    assert facebook == [(4, "facebook", "facebook")]  # Facebook's rows as before


def test_dialog_csv_and_xlsx_carry_both_channels_redacted_without_a_username(built: tuple[Path, Path]) -> None:
    _, exported = built
    rows = {r["comment_id"]: r for r in _csv(exported / "dialog.csv")}
    answered, open_ = rows["instagram:18000000000000001"], rows["instagram:18000000000000003"]
    assert (answered["channel"], answered["answered"], answered["hours_to_first_reply"]) == ("instagram", "True", "0.5")
    assert (open_["answered"], open_["first_staff_reply_at"], open_["permalink_url"]) == ("False", "", "")
    assert answered["text"] == "Hvornår starter byggeriet? Ring til mig på [telefon]"
    assert open_["text"] == "Hvornår kommer der svar på det her?"
    assert "instagram:18000000000000005" not in rows
    assert {r["channel"] for r in rows.values()} == {"facebook", "instagram"}

    wb = load_workbook(exported / "dialog.xlsx")
    listing = list(wb["Spørgsmål og klager"].iter_rows(values_only=True))
    by_id = {r[listing[0].index("Id")]: dict(zip(listing[0], r, strict=True)) for r in listing[1:]}
    assert by_id["instagram:18000000000000003"]["Kanal"] == "Instagram"
    assert by_id["instagram:18000000000000003"]["Link"] is None
    overview = dict(list(wb["Overblik"].iter_rows(values_only=True))[1:])
    assert overview["Spørgsmål i alt"] == 5 and overview["Ikke besvaret"] == 3

    shown = (exported / "dialog.csv").read_bytes() + (exported / "README.md").read_bytes()
    shown += "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                       for v in row if v is not None).encode("utf-8")
    for secret in (CITIZEN, NEIGHBOUR, OWNER["username"], "17800000000000001", "17800000000000002", RUDE,
                   "23 45 67 89"):
        assert secret.encode("utf-8") not in shown, secret
        assert secret.encode("utf-8").lower() not in shown.lower(), secret


def test_channel_comments_holds_every_instagram_comment_with_its_kind(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    rows = {r[0]: r[1:] for r in _q(warehouse, """
        select comment_id, channel, parent_id, is_page_reply, is_hidden, like_count, reply_count, kind,
               author_key is not null
        from channel_comments""")}
    assert set(rows) == {f"instagram:1800000000000000{i}" for i in range(1, 6)}
    assert rows["instagram:18000000000000001"] == ("instagram", None, False, False, 3, 1, "question", True)
    assert rows["instagram:18000000000000002"][:3] == ("instagram", "instagram:18000000000000001", True)
    assert rows["instagram:18000000000000002"][6] == "staff"
    assert rows["instagram:18000000000000005"][3] is True  # hidden: kept here, left out of the dialogue
    # Facebook stays in `comments`, unchanged; no Instagram row there
    assert _q(warehouse, "select count(*) from comments where comment_id like 'instagram:%'") == [(0,)]
    messages = " ".join(r[0] for r in _q(warehouse, "select message from channel_comments"))
    assert CITIZEN not in messages and NEIGHBOUR not in messages and "@[navn]" in messages
