"""Facebook is one entry of `flows.channels.CHANNELS`: the pipeline's ingest loops over the channels a consultation
has, Facebook's posts first, through one task (`ingest_channel`), with the counts and progress lines it always had.
Real HTTP on loopback to the stand-in, real DuckDB files, settings from the environment."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from flows import pipeline
from flows.channels import CHANNELS, FACEBOOK, ChannelRun, channel, channels_of
from flows.ingest import ingest_posts
from flows.settings import ConfigError, Consultation
from sources.graph import GraphClient
from sources.standin import DEFAULT_TOKEN, GraphStandIn, load_dataset
from sources.standin.instagram import load_instagram
from warehouse.db import WarehouseError
from warehouse.store import Warehouse

PAGE = "169211373112345"
POST = f"{PAGE}_10152398154407346"
MEDIA = "17912345678901234"


def _config(path: Path, *, instagram: bool) -> Path:
    path.write_text(f"""
[facebook]
page_id = "{PAGE}"

[[consultations]]
slug = "motorvej"
title = "Overdækningen"
post_ids = ["{POST}"]
{f'instagram_media_ids = ["{MEDIA}"]' if instagram else ""}
""", encoding="utf-8")
    return path


@pytest.fixture()
def standin(sample_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with GraphStandIn(load_dataset(sample_dir / "facebook.json"),
                      instagram=load_instagram(sample_dir / "instagram.json")) as server:
        monkeypatch.setenv("FACEBOOK_GRAPH_URL", server.url)
        monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("CIVIC_IDEAS_SALT", "u-channel-loop-salt")
        monkeypatch.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp_path / "no-salt-file"))
        monkeypatch.setenv("CIVIC_IDEAS_PREFECT", "off")
        yield server


def _q(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_facebook_is_the_first_channel_and_every_consultation_has_it() -> None:
    assert [c.name for c in CHANNELS][:2] == [FACEBOOK, "instagram"]
    facebook_only = Consultation(slug="a", title="A", post_ids=["1_2"])
    both = Consultation(slug="b", title="B", post_ids=["1_2"], instagram_media_ids=[MEDIA])
    assert [c.name for c in channels_of(facebook_only)] == [FACEBOOK]
    assert [c.name for c in channels_of(both)] == [FACEBOOK, "instagram"]
    assert channel(FACEBOOK).comments and not channel("instagram").comments


def test_an_unknown_channel_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError, match=r"^unknown channel tiktok: choose from facebook, instagram$"):
        channel("tiktok")


def test_the_ingest_reads_facebook_then_instagram_and_counts_as_before(standin: GraphStandIn, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    warehouse = tmp_path / "wh.duckdb"
    config = _config(tmp_path / "c.toml", instagram=True)
    with caplog.at_level(logging.INFO, logger="civic_ideas.progress"):
        counts = pipeline.run_stages(str(config), None, ["ingest"], str(warehouse), str(tmp_path), "run-u")
    stored = _q(warehouse, "select count(*) from stg_comments")[0][0]
    items = _q(warehouse, "select count(*) from stg_imported_items where channel = 'instagram'")[0][0]
    assert stored > 100 and items == 18
    # Facebook's comments are the run's comments; Instagram's are counted apart, as before
    assert counts["comments_fetched"] == stored and counts["comments_changed"] == stored
    assert counts["channel_items"] == {"instagram": {"fetched": 18, "changed": 18}}
    assert counts["incomplete_posts"] == []
    # the Page's post is read (token check, post, comments) before the Instagram media
    paths = [r.path for r in standin.requests]
    first_media = next(i for i, p in enumerate(paths) if MEDIA in p)
    assert any(POST in p for p in paths[:first_media]) and not any(POST in p for p in paths[first_media:])
    lines = [r.getMessage() for r in caplog.records if r.name == "civic_ideas.progress"]
    fb = next(i for i, line in enumerate(lines) if line == "motorvej: reading 1 post from the Graph API")
    ig = next(i for i, line in enumerate(lines) if line.startswith("read Instagram media 1/1"))
    assert fb < ig and any(line.startswith("read post 1/1 (") for line in lines[fb:ig])

    again = pipeline.run_stages(str(config), None, ["ingest"], str(warehouse), str(tmp_path), "run-u2")
    assert again["comments_fetched"] == stored and again["comments_changed"] == 0
    assert again["channel_items"] == {"instagram": {"fetched": 18, "changed": 0}}


def test_a_facebook_only_consultation_reads_no_instagram(standin: GraphStandIn, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    config = _config(tmp_path / "c.toml", instagram=False)
    counts = pipeline.run_stages(str(config), None, ["ingest"], str(warehouse), str(tmp_path), "run-u")
    assert "channel_items" not in counts and counts["comments_fetched"] > 100
    assert not any(MEDIA in r.path for r in standin.requests)
    assert _q(warehouse, "select count(*) from stg_imported_items")[0][0] == 0


def test_the_readers_take_the_warehouse_value(standin: GraphStandIn, tmp_path: Path) -> None:
    """The pipeline hands its `Warehouse` down to the channels' readers; the sessions are opened through it."""
    warehouse = Warehouse.at(tmp_path / "wh.duckdb")
    both = Consultation(slug="motorvej", title="M", post_ids=[POST], instagram_media_ids=[MEDIA])
    run = ChannelRun(b"u-salt", "run-v", PAGE)
    with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance) as client:
        got = {c.name: c.ingest(client, warehouse, both, run) for c in channels_of(both)}
    assert got[FACEBOOK][POST]["complete"] and got["instagram"][MEDIA]["fetched"] == 18
    assert warehouse.exists()
    assert _q(warehouse.path, "select count(*) from stg_comments")[0][0] == got[FACEBOOK][POST]["fetched"]


def test_a_shared_location_is_refused_before_any_request(standin: GraphStandIn, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a location such as `md:civic` became a local file of that name after the post was read."""
    monkeypatch.chdir(tmp_path)
    with GraphClient(standin.url, "v25.0", DEFAULT_TOKEN, sleep=standin.clock.advance) as client, \
            pytest.raises(WarehouseError, match=r"^the warehouse md:\.\.\. is a shared warehouse"):
        ingest_posts(client, "md:civic", PAGE, "motorvej", [POST], "run-w", b"u-salt")
    assert standin.requests == [] and list(tmp_path.iterdir()) == []


def test_a_channel_runs_repr_does_not_show_the_salt() -> None:
    """The salt keys every author: a ChannelRun printed in a log line or as task parameters must not show it."""
    from flows.channels import ChannelRun

    salt = b"secret-salt-0123456789abcdef"
    text = repr(ChannelRun(salt, run_id="r1", page_id="p1"))
    assert "r1" in text and "secret" not in text and repr(salt) not in text
