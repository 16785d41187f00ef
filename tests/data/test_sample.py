"""The bundled sample consultation (data/sample/) keeps the format of docs/interfaces.md and its promises."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
NOT_AN_IDEA = "not_an_idea"

COMMENT_KEYS = {"id", "post_id", "parent_id", "created_time", "like_count", "is_hidden"}
OPTIONAL_KEYS = {"from", "message", "message_tags", "attachment"}


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads((SAMPLE / "facebook.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def comments(data) -> list[dict]:
    return data["comments"]


@pytest.fixture(scope="module")
def by_id(comments) -> dict[str, dict]:
    return {c["id"]: c for c in comments}


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    with (SAMPLE / "gold.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["comment_id", "consultation", "label"]
        return list(reader)


@pytest.fixture(scope="module")
def labels(gold) -> dict[str, str]:
    return {row["comment_id"]: row["label"] for row in gold}


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((SAMPLE / "consultations.toml").read_text(encoding="utf-8"))


def when(s: str) -> datetime:
    return datetime.strptime(s, TIME_FORMAT)


def post_obj_id(post_id: str) -> str:
    return post_id.split("_", 1)[1]


# --- format -----------------------------------------------------------------------------------------------------


def test_page_and_posts(data):
    page = data["page"]
    assert page["name"] == "Silkeborg Kommune"
    assert page["id"].isdigit()
    consultations = Counter(p["consultation"] for p in data["posts"])
    assert set(consultations) == {"udviklingsstrategi", "motorvejsoverdaekning"}
    for post in data["posts"]:
        assert set(post) == {"id", "created_time", "message", "permalink_url", "consultation"}
        page_id, obj = post["id"].split("_")
        assert page_id == page["id"] and obj.isdigit()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", post["created_time"])
        assert post["permalink_url"].startswith("https://www.facebook.com/")
        assert post["message"].strip()


def test_comment_shapes(data, comments):
    post_ids = {p["id"] for p in data["posts"]}
    for c in comments:
        assert COMMENT_KEYS <= set(c) <= COMMENT_KEYS | OPTIONAL_KEYS, c["id"]
        assert c["post_id"] in post_ids
        assert c["parent_id"] is None or isinstance(c["parent_id"], str)
        assert type(c["like_count"]) is int and 0 <= c["like_count"] <= 60
        assert type(c["is_hidden"]) is bool
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", c["created_time"])
        if "from" in c:
            assert set(c["from"]) == {"id", "name"}
            assert isinstance(c["from"]["id"], str) and c["from"]["id"].isdigit()
            assert 15 <= len(c["from"]["id"]) <= 17
            assert c["from"]["name"].strip()
        if "message" in c:
            assert isinstance(c["message"], str) and c["message"].strip()
        else:
            assert "attachment" in c, f"{c['id']} has neither message nor attachment"
        if "attachment" in c:
            att = c["attachment"]
            assert att["type"] in {"sticker", "photo"} and att["url"].startswith("https://")
            image = att["media"]["image"]
            assert image["src"].startswith("https://") and image["width"] > 0 and image["height"] > 0


def test_ids_unique_and_keyed_to_the_post(comments):
    ids = [c["id"] for c in comments]
    assert len(ids) == len(set(ids))
    for c in comments:
        prefix, digits = c["id"].split("_")
        assert prefix == post_obj_id(c["post_id"]), f"{c['id']} is not keyed to its post"
        assert digits.isdigit()


def test_replies_point_to_an_earlier_comment_on_the_same_post(comments, by_id):
    replies = [c for c in comments if c["parent_id"] is not None]
    assert len(replies) >= 50
    for reply in replies:
        parent = by_id.get(reply["parent_id"])
        assert parent is not None, f"{reply['id']}: parent {reply['parent_id']} missing"
        assert parent["post_id"] == reply["post_id"]
        assert when(reply["created_time"]) > when(parent["created_time"])


def test_some_threads_are_three_levels_deep(comments, by_id):
    def depth(c):
        n = 1
        while c["parent_id"]:
            c, n = by_id[c["parent_id"]], n + 1
        return n

    depths = Counter(depth(c) for c in comments)
    assert depths[3] >= 3


def test_timestamps_parse_and_follow_the_post(data, comments):
    posted = {p["id"]: when(p["created_time"]) for p in data["posts"]}
    for c in comments:
        t = when(c["created_time"])
        assert t.utcoffset().total_seconds() == 0
        assert t > posted[c["post_id"]]


def test_message_tags_cover_the_tagged_name_in_code_points(comments):
    tagged = [c for c in comments if c.get("message_tags")]
    assert len(tagged) >= 20
    beyond_bmp_before_tag = 0
    for c in tagged:
        message = c["message"]
        for tag in c["message_tags"]:
            assert set(tag) == {"id", "name", "type", "offset", "length"}
            assert tag["type"] in {"user", "page"} and tag["id"].isdigit()
            assert message[tag["offset"] : tag["offset"] + tag["length"]] == tag["name"], (c["id"], tag)
            if any(ord(ch) > 0xFFFF for ch in message[: tag["offset"]]):
                beyond_bmp_before_tag += 1  # UTF-16 offsets would differ here
    assert beyond_bmp_before_tag >= 1


def test_page_replies_come_from_the_page(data, comments, labels):
    page = data["page"]
    staff = [c for c in comments if c.get("from", {}).get("id") == page["id"]]
    assert len(staff) >= 20
    for c in staff:
        assert c["from"]["name"] == page["name"]
        assert c["parent_id"] is not None
        assert labels[c["id"]] == NOT_AN_IDEA


def test_some_comments_lack_from(comments):
    missing = sum("from" not in c for c in comments)
    assert 0.04 <= missing / len(comments) <= 0.10


def test_many_distinct_authors(data, comments):
    authors = Counter(c["from"]["id"] for c in comments if "from" in c and c["from"]["id"] != data["page"]["id"])
    assert len(authors) >= 200
    assert sum(n > 1 for n in authors.values()) >= 20  # some citizens write several comments


# --- gold -------------------------------------------------------------------------------------------------------


def test_gold_covers_every_comment_once(data, comments, gold):
    ids = [row["comment_id"] for row in gold]
    assert len(ids) == len(set(ids))
    assert set(ids) == {c["id"] for c in comments}
    consultation_of = {p["id"]: p["consultation"] for p in data["posts"]}
    by_id = {c["id"]: c for c in comments}
    for row in gold:
        assert row["consultation"] == consultation_of[by_id[row["comment_id"]]["post_id"]]
        assert row["label"].strip()


def test_idea_share(gold):
    for consultation in {row["consultation"] for row in gold}:
        rows = [r for r in gold if r["consultation"] == consultation]
        share = sum(r["label"] != NOT_AN_IDEA for r in rows) / len(rows)
        assert 0.45 <= share <= 0.70, (consultation, share)


def test_at_least_eight_themes_per_consultation(gold):
    for consultation in {row["consultation"] for row in gold}:
        themes = Counter(r["label"] for r in gold if r["consultation"] == consultation and r["label"] != NOT_AN_IDEA)
        assert len(themes) >= 8, (consultation, themes)
        assert min(themes.values()) >= 5


def test_noise_that_is_never_an_idea(comments, labels):
    for c in comments:
        if "message" not in c or c["is_hidden"]:
            assert labels[c["id"]] == NOT_AN_IDEA, c["id"]
    assert sum("message" not in c for c in comments) >= 2
    assert 2 <= sum(c["is_hidden"] for c in comments) <= 3


def test_ideas_get_more_likes_than_noise(comments, labels):
    ideas = [c["like_count"] for c in comments if labels[c["id"]] != NOT_AN_IDEA]
    noise = [c["like_count"] for c in comments if labels[c["id"]] == NOT_AN_IDEA]
    assert sum(ideas) / len(ideas) > 2 * sum(noise) / len(noise)


def test_personal_data_for_the_privacy_tests(comments, labels):
    idea_texts = [c["message"] for c in comments if labels[c["id"]] != NOT_AN_IDEA and "message" in c]
    assert any(re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", t) for t in idea_texts), "no e-mail address"
    assert any(re.search(r"\b\d\d \d\d \d\d \d\d\b", t) for t in idea_texts), "no Danish phone number"
    assert any(re.search(r"\+45 ?\d\d ?\d\d ?\d\d ?\d\d", t) for t in idea_texts), "no +45 phone number"
    cprs = [m for t in idea_texts for m in re.findall(r"\b(\d\d)(\d\d)(\d\d)-\d{4}\b", t)]
    assert cprs, "no CPR-like number"
    for day, month, year in cprs:
        datetime(1900 + int(year), int(month), int(day))  # a valid date


# --- consultations.toml -----------------------------------------------------------------------------------------


def test_consultations_toml_matches_the_data(data, config):
    assert config["facebook"]["page_id"] == data["page"]["id"]
    posts = {p["id"]: p["consultation"] for p in data["posts"]}
    slugs = [c["slug"] for c in config["consultations"]]
    assert sorted(slugs) == ["motorvejsoverdaekning", "udviklingsstrategi"]
    listed = []
    for c in config["consultations"]:
        assert c["language"] == "da" and c["title"].strip()
        assert "closes" not in c  # the demo must keep polling
        for post_id in c["post_ids"]:
            assert posts[post_id] == c["slug"]
            listed.append(post_id)
    assert sorted(listed) == sorted(posts)
    motorway = next(c for c in config["consultations"] if c["slug"] == "motorvejsoverdaekning")
    assert len(motorway["themes"]) >= 3
    for theme in motorway["themes"]:
        assert theme["label"].strip() and 3 <= len(theme["seeds"]) <= 6


def test_local_places_are_named_in_the_comments_and_lie_in_silkeborg(data, config):
    """`places` (flows.settings.LocalPlace): names the gazetteer lacks, each one the motorway comments or the
    citizens' meeting use, with coordinates in Silkeborg."""
    from flows.settings import load_consultations

    motorway = next(c for c in load_consultations(SAMPLE / "consultations.toml").consultations
                    if c.slug == "motorvejsoverdaekning")
    texts = " ".join(c.get("message", "") for c in data["comments"]) + (SAMPLE / MEETING).read_text(encoding="utf-8")
    assert motorway.places
    for place in motorway.places:
        assert place.name in texts
        assert 56.0 < place.lat < 56.3 and 9.4 < place.lon < 9.8  # Silkeborg


# --- the citizens' meeting (imported as a channel by the demo) ---------------------------------------------------

MEETING = "borgermoede-2014-05-12.csv"


@pytest.fixture(scope="module")
def meeting() -> list[dict]:
    with (SAMPLE / MEETING).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")  # as Danish Excel writes it
        assert reader.fieldnames == ["nr", "dato", "bord", "initialer", "note"]
        return list(reader)


def test_meeting_notes_are_synthetic_and_complete(meeting):
    assert 15 <= len(meeting) <= 25
    assert [int(r["nr"]) for r in meeting] == list(range(1, len(meeting) + 1))  # unique ids: a re-import adds nothing
    assert {r["dato"] for r in meeting} == {"12-05-2014"}
    assert all(re.fullmatch(r"[A-ZÆØÅ]{2}", r["initialer"]) for r in meeting)  # invented initials, no names
    assert all(r["note"].strip() and None not in r for r in meeting)
    notes = " ".join(r["note"] for r in meeting)
    for place in ("Kjellerup", "Them", "Gjern", "Aarhusvej"):
        assert place in notes
    assert "@" not in notes and not re.search(r"\d{6}-?\d{4}|\d{2} \d{2} \d{2} \d{2}", notes)


def test_the_demo_imports_the_meeting_into_a_consultation_of_the_sample(config):
    from flows.demo import MEETING as DEMO_MEETING
    from flows.demo import MEETING_CHANNEL, MEETING_CONSULTATION

    assert DEMO_MEETING.name == MEETING and DEMO_MEETING.parent == SAMPLE
    assert MEETING_CONSULTATION in {c["slug"] for c in config["consultations"]}
    assert MEETING_CHANNEL == MEETING.removesuffix(".csv")


# --- the build script -------------------------------------------------------------------------------------------


def test_build_script_reproduces_the_checked_in_files(tmp_path):
    subprocess.run(
        [sys.executable, str(SAMPLE / "build_sample.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("facebook.json", "gold.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), f"{name} differs: rerun the script"
