"""Issue 18 #3: channels side by side. The sample motorway consultation's Facebook comments and a citizens' meeting's
notes go through the real import, idea detection, clustering and export; ideas and citizens per topic and channel
(view topic_channels, topic_channels.csv, the workbook's sheet Kanaler, the report's topic cards) are checked against
what the warehouse holds."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import exportkit  # noqa: E402

from flows.imports import import_file  # noqa: E402
from flows.pipeline import cluster_topics, export_files, find_ideas, find_imported_ideas  # noqa: E402
from flows.settings import load_consultations  # noqa: E402
from sources.files import ImportColumns  # noqa: E402
from transforms.pseudonym import pseudonymise_comments  # noqa: E402
from transforms.records import comments_table  # noqa: E402
from warehouse import db, export, load  # noqa: E402

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
SLUG = "motorvejsoverdaekning"
SALT = "channels-test-salt"
NOTES = [  # (Nr, Navn, Note) from a citizens' meeting; two notes by the same citizen, one without a name
    ("1", "Gunnhild Præstegaard", "Lav en stor park med træer og bænke oven på motorvejen, gerne med en sø"),
    ("2", "Gunnhild Præstegaard", "Plant flere træer i parken og lav en legeplads til børnene"),
    ("3", "", "Byg en skaterbane til de unge med lys om aftenen"),
    ("4", "Leopold Ravnsborg", "Lav en cykelsti over overdækningen med lys"),
    ("5", "Leopold Ravnsborg", "Tak for et godt møde"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("channels")
    mp = pytest.MonkeyPatch()
    mp.setenv("CIVIC_IDEAS_SALT", SALT)
    mp.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp / "no-salt-file"))
    try:
        data = json.loads((SAMPLE_DIR / "facebook.json").read_text(encoding="utf-8"))
        consultation = next(c for c in load_consultations(SAMPLE_DIR / "consultations.toml").consultations
                            if c.slug == SLUG)
        post_id = consultation.post_ids[0]
        comments = [c for c in data["comments"] if c["post_id"] == post_id]
        wh = tmp / "wh.duckdb"
        table = comments_table(pseudonymise_comments(comments, SALT.encode(), data["page"]["id"]), post_id, SLUG)
        with db.session(wh) as con:
            load.save_scan(con, table, post_id=post_id, run_id="r0", complete=False, n_requests=1,
                           now=dt.datetime.now(dt.UTC))
        notes = tmp / "moede.csv"
        notes.write_text("Nr;Navn;Note\r\n" + "".join(f'{n};{a};"{t}"\r\n' for n, a, t in NOTES), encoding="utf-8")
        import_file(wh, notes, consultation=SLUG, channel="borgermoede",
                    columns=ImportColumns(text="Note", item_id="Nr", author="Navn"))
        find_ideas.fn(str(wh), SLUG)
        find_imported_ideas.fn(str(wh), SLUG)
        cluster_topics.fn(str(wh), consultation, "r1")
        export_files.fn(str(wh), consultation, str(tmp / "exports"))
    finally:
        mp.undo()
    return wh, tmp / "exports" / SLUG


def _expected(wh: Path) -> pd.DataFrame:
    """Ideas and citizens per topic and channel, from the staging and core tables (not from the ideas view): each
    known author once, each idea without one as a citizen of its own."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        frame = con.execute(
            """
            with run as (select topic_run_id from core_topic_runs order by created_at desc limit 1),
            authors as (
                select comment_id as idea_id, author_key from stg_comments
                union all
                select channel || ':' || item_id, author_key from stg_imported_items
            )
            select it.topic_id, i.channel, a.author_key
            from core_idea_topics as it
            inner join run using (topic_run_id)
            inner join core_ideas as i using (idea_id)
            inner join authors as a using (idea_id)
            """
        ).df()
    finally:
        con.close()
    rows = [
        (int(topic), channel, len(g), g["author_key"].dropna().nunique() + int(g["author_key"].isna().sum()))
        for (topic, channel), g in frame.groupby(["topic_id", "channel"])
    ]
    return pd.DataFrame(rows, columns=["topic_id", "channel", "n_ideas", "n_authors"])


def _key(frame: pd.DataFrame) -> set[tuple]:
    return {(int(t), str(c), int(n), int(a)) for t, c, n, a in
            frame[["topic_id", "channel", "n_ideas", "n_authors"]].itertuples(index=False)}


def test_topic_channels_csv_counts_what_the_warehouse_holds(world: tuple[Path, Path]) -> None:
    wh, folder = world
    frame = pd.read_csv(folder / "topic_channels.csv")
    assert list(frame.columns) == ["consultation", "topic_id", "label", "channel", "n_ideas", "n_authors"]
    expected = _expected(wh)
    assert _key(frame) == _key(expected)
    assert set(frame["channel"]) == {"facebook", "borgermoede"}
    meeting = frame[frame["channel"] == "borgermoede"]
    assert meeting["n_ideas"].sum() == 4  # not the thanks
    topics = pd.read_csv(folder / "topics.csv").set_index("topic_id")
    per_topic = frame.groupby("topic_id")["n_ideas"].sum()
    assert per_topic.to_dict() == topics["n_ideas"].to_dict()  # every idea of a topic is in one channel


def test_the_workbook_has_a_column_pair_per_channel(world: tuple[Path, Path]) -> None:
    _, folder = world
    frame = pd.read_csv(folder / "topic_channels.csv")
    sheet = openpyxl.load_workbook(folder / f"{SLUG}.xlsx")["Kanaler"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["Emne nr.", "Emne", "Idéer (Facebook)", "Borgere (Facebook)", "Idéer (Borgermøde)",
                             "Borgere (Borgermøde)"]
    got = set()
    for topic_id, _label, *counts in rows[1:]:
        for channel, (n, a) in zip(["facebook", "borgermoede"], [counts[0:2], counts[2:4]], strict=True):
            if n:
                got.add((topic_id, channel, n, a))
    assert got == _key(frame)
    emner = [r[0] for r in openpyxl.load_workbook(folder / f"{SLUG}.xlsx")["Emner"].iter_rows(values_only=True)]
    assert len(rows) == len(emner)  # every topic once


def test_the_report_says_which_topics_came_from_one_channel_only(world: tuple[Path, Path]) -> None:
    _, folder = world
    frame = pd.read_csv(folder / "topic_channels.csv")
    html = (folder / "report.html").read_text(encoding="utf-8")
    channels = frame.groupby("topic_id")["channel"].agg(set)
    for topic_id, found in channels.items():
        card = re.search(rf'<article class="topic" id="topic-{topic_id}">(.*?)</article>', html, re.S)
        assert card is not None, topic_id
        line = re.search(r'<p class="channel-only">[^<]*: ([^<.]+)\.</p>', card.group(1))
        if len(found) == 1:
            assert line is not None and line.group(1) == {"facebook": "Facebook", "borgermoede": "Borgermøde"}[
                next(iter(found))], topic_id
        else:
            assert line is None, topic_id
    assert any(len(f) == 1 for f in channels) and any(len(f) == 2 for f in channels)


def test_one_channel_only_gives_no_channel_line_and_no_sheet(tmp_path: Path) -> None:
    con = exportkit.build(tmp_path / "wh.duckdb")
    export.export_consultation(con, exportkit.SLUG, tmp_path / "exports", title=exportkit.TITLE)
    con.close()
    folder = tmp_path / "exports" / exportkit.SLUG
    assert "channel-only" not in (folder / "report.html").read_text(encoding="utf-8").split("</style>")[1]
    assert "Kanaler" not in openpyxl.load_workbook(folder / f"{exportkit.SLUG}.xlsx").sheetnames
    frame = pd.read_csv(folder / "topic_channels.csv")
    topics = pd.read_csv(folder / "topics.csv")
    assert set(frame["channel"]) == {"facebook"}
    assert frame[["topic_id", "n_ideas", "n_authors"]].values.tolist() == \
        topics[["topic_id", "n_ideas", "n_authors"]].values.tolist()  # one channel: the topics' own counts
