"""Instagram end to end: `civic-ideas run` over real HTTP on loopback against the stand-in (Facebook post and
Instagram media of one consultation), real DuckDB files and real exports. Both channels' ideas are clustered together,
no username reaches any byte on disk, a second run adds nothing, a comment deleted on Instagram goes, and
`forget --instagram-username` erases a user for good."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from test_privacy_e2e import duckdb_columns, file_texts

from flows.cli import main
from sources.standin import DEFAULT_TOKEN, GraphStandIn, load_dataset
from sources.standin.instagram import load_instagram

SLUG = "motorvejsoverdaekning"
MEDIA = "17912345678901234"
CONFIG = f"""
[facebook]
page_id = "169211373112345"

[[consultations]]
slug = "{SLUG}"
title = "Idéer til overdækningen af motorvejen"
post_ids = ["169211373112345_10152398154407346"]
instagram_media_ids = ["{MEDIA}"]
language = "da"
"""


class World:
    def __init__(self, tmp: Path, standin: GraphStandIn, instagram: dict[str, Any]) -> None:
        self.tmp, self.standin, self.instagram = tmp, standin, instagram
        self.warehouse, self.exports, self.config = tmp / "wh" / "wh.duckdb", tmp / "exports", tmp / "c.toml"
        self.config.write_text(CONFIG, encoding="utf-8")

    def cli(self, *args: str) -> Any:
        result = CliRunner().invoke(main, ["--warehouse", str(self.warehouse), "--export-dir", str(self.exports),
                                           *args])
        assert result.exit_code == 0, result.output
        return result

    def run(self) -> Any:
        return self.cli("run", "--config", str(self.config))

    def q(self, sql: str, **params: Any) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def people(self) -> set[str]:
        """Every citizen's username and Instagram-scoped user id in the dataset (the municipality's own account is
        public: its name is in its Facebook posts' links too)."""
        own = self.instagram["account"]["username"]
        out: set[str] = set()
        for media in self.instagram["media"]:
            for c in media["comments"]:
                for x in [c, *c.get("replies", [])]:
                    out |= {x["username"], x["user_id"]} if x["username"] != own else set()
        assert len(out) > 20
        return out


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    instagram = load_instagram(sample_dir / "instagram.json")
    with GraphStandIn(load_dataset(sample_dir / "facebook.json"), instagram=instagram) as standin:
        monkeypatch.setenv("FACEBOOK_GRAPH_URL", standin.url)
        monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("CIVIC_IDEAS_SALT", "instagram-e2e-salt")
        monkeypatch.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp_path / "no-salt-file"))
        yield World(tmp_path, standin, instagram)


def _counts(w: World) -> dict[str, Any]:
    return {
        "items": w.q("select channel, item_id, text, like_count, parent_id, is_hidden, is_page_reply, author_key, "
                     "first_imported_at from stg_imported_items order by item_id"),
        "ideas": w.q("select channel, count(*) from core_ideas group by all order by 1"),
        "comments": w.q("select count(*) from stg_comments"),
    }


def test_both_channels_clustered_together_no_username_on_disk_and_a_rerun_adds_nothing(world: World) -> None:
    w = world
    first = w.run()
    assert "  and 18 instagram comments fetched, 18 new or changed" in first.output
    assert {r[0] for r in w.q("select channel from ideas")} == {"facebook", "instagram"}
    # the channels share topics: most topics with Instagram ideas also hold Facebook ones
    shared = w.q("select topic_id from topic_channels where consultation = $c group by topic_id "
                 "having count(distinct channel) = 2", c=SLUG)
    assert len(shared) >= 3
    ig = w.q("select count(*), sum(like_count), count(*) filter (where parent_id is not null), "
             "count(*) filter (where is_page_reply) from stg_imported_items where channel = 'instagram'")[0]
    likes = sum(x["like_count"] for c in w.instagram["media"][0]["comments"] for x in [c, *c["replies"]])
    assert ig == (18, likes, 4, 2)  # every comment and reply; likes kept; replies keep their parent; staff marked
    kinds = dict(w.q("select comment_id, kind from core_comment_kinds where channel = 'instagram'"))
    assert kinds["instagram:18000000000000002"] == "staff" and kinds["instagram:18000000000000007"] == "tag"
    assert kinds["instagram:18000000000000015"] != "idea"  # an ad, hidden by the account
    channels_csv = (w.exports / SLUG / "topic_channels.csv").read_text(encoding="utf-8")
    assert ",instagram," in channels_csv and ",facebook," in channels_csv

    people = w.people()
    for table, column, text in duckdb_columns(w.warehouse):
        leaked = [p for p in people if p in text]
        assert not leaked, f"{table}.{column} holds {leaked}"
    disk = [p for p in w.warehouse.parent.iterdir() if p.is_file()] + [p for p in w.exports.rglob("*")
                                                                        if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in disk) and any(p.name == "ideas.parquet" for p in disk)
    for path in disk:
        for where, text in file_texts(path):
            leaked = [p for p in people if p in text]
            assert not leaked, f"{where} holds {leaked}"

    before = _counts(w)
    second = w.run()
    assert _counts(w) == before
    assert w.q("select n_comments_changed from runs order by started_at desc limit 1") == [(0,)]
    assert "read Instagram media 1/1" in second.output
    assert "  and 18 instagram comments fetched, 0 new or changed" in second.output


def test_a_comment_deleted_on_instagram_goes_and_forget_by_username_holds(world: World) -> None:
    w = world
    w.run()
    w.standin.instagram.store.delete_comment("18000000000000004")  # "Plant mange træer ..."
    w.run()
    assert not w.q("select * from stg_imported_items where item_id = '18000000000000004'")
    assert not w.q("select * from core_ideas where idea_id = 'instagram:18000000000000004'")

    ideas = w.q("select count(*) from core_ideas where channel = 'instagram'")[0][0]
    out = w.cli("forget", "--instagram-username", "@Mette.Holm_").output
    assert out.startswith("erased ")
    assert not w.q("select * from stg_imported_items where item_id = '18000000000000001'")
    assert w.q("select count(*) from stg_imported_items where channel = 'instagram'") == [(16,)]  # 18 - 1 - 1
    assert w.q("select kind from core_suppressions where kind = 'instagram_user'") == [("instagram_user",)]
    w.standin.instagram.store.add_comment(MEDIA, "Lav en sø med ænder", "mette.holm_")  # she writes again
    w.run()
    assert not w.q("select * from stg_imported_items where text like '%ænder%' or item_id = '18000000000000001'")
    assert w.q("select count(*) from core_ideas where channel = 'instagram'")[0][0] == ideas - 1
    ideas_csv = (w.exports / SLUG / "ideas.csv").read_text(encoding="utf-8")
    assert "legeplads oven på overdækningen" not in ideas_csv and "frugttræer" in ideas_csv

    # a comment goes with its replies, and stays gone
    w.cli("forget", "--comment-id", "instagram:18000000000000005")  # the bike path, and the reply under it
    assert not w.q("select * from stg_imported_items where item_id in ('18000000000000005', '18000000000000006')")
    w.run()
    assert not w.q("select * from stg_imported_items where item_id in ('18000000000000005', '18000000000000006')")
    assert not w.q("select * from core_ideas where idea_id in ('instagram:18000000000000005', "
                   "'instagram:18000000000000006')")


def test_bad_instagram_config_and_forget_input_are_one_line_errors(world: World) -> None:
    w = world
    w.config.write_text(CONFIG.replace(MEDIA, "not-a-media"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--warehouse", str(w.warehouse), "run", "--config", str(w.config)])
    assert result.exit_code != 0 and "instagram_media_ids" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["--warehouse", str(w.warehouse), "forget", "--instagram-username", "x",
                                       "--comment-id", "1"])
    assert result.exit_code != 0 and "--instagram-username NAME" in result.output
    assert not w.standin.requests  # nothing was read


def test_a_media_listed_in_two_consultations_is_refused_in_one_line(world: World) -> None:
    w = world
    second = CONFIG.replace(f'slug = "{SLUG}"', 'slug = "anden"').replace(
        "169211373112345_10152398154407346", "169211373112345_10152342870117346")
    w.config.write_text(CONFIG + second.split("\n", 4)[4], encoding="utf-8")
    result = CliRunner().invoke(main, ["--warehouse", str(w.warehouse), "--export-dir", str(w.exports), "run",
                                       "--config", str(w.config)])
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert errors == [f"civic-ideas: error: Instagram media {MEDIA} is listed in consultations {SLUG} and anden: "
                      "list each media in one consultation of consultations.toml"], result.output
    assert w.q("select distinct consultation from stg_imported_items") == [(SLUG,)]
