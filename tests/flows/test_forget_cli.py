"""Issue 6, erasure end to end: `civic-ideas forget --facebook-user-id` and `--comment-id`, and a comment deleted on
Facebook, through the installed CLI against the Graph API stand-in.

One module-scoped story, so Prefect starts only three times: a run; forget a person and a comment (with the reply
under it); delete another comment on Facebook; run again. Every table, the erasure log and the exports are checked
after the forgetting and again after the next run (which must not bring anything back).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_privacy_e2e import (
    PLAIN_IDEAS,
    cli,
    cli_env,
    comment,
    dataset,
    duckdb_columns,
    file_texts,
    write_config,
)

from sources.standin import GraphStandIn
from transforms.pseudonym import author_key

pytestmark = pytest.mark.slow

# Every table that holds a comment's data, by the column that names the comment.
COMMENT_TABLES = {
    "raw_comments": "comment_id",
    "stg_comments": "comment_id",
    "stg_comment_history": "comment_id",
    "core_ideas": "idea_id",
    "core_idea_topics": "idea_id",
}


@dataclass
class Story:
    tmp: Path
    salt: str
    user_id: str  # the person who asks to be forgotten
    name: str  # their name, as another citizen tagged them
    person_ids: list[str]  # their comments
    person_texts: list[str]
    thread_ids: list[str]  # the comment erased by id, and the reply under it
    thread_texts: list[str]
    deleted_ids: list[str]  # deleted on Facebook
    deleted_text: str
    kept_ids: list[str]  # comments nobody asked about
    forgets: list[subprocess.CompletedProcess[str]]
    after_forget: dict[str, Any]
    after_rerun: dict[str, Any]
    runs: list[subprocess.CompletedProcess[str]]


def _citizen(n: int) -> dict[str, str]:
    return {"id": "1000" + "".join(secrets.choice("0123456789") for _ in range(11)), "name": f"Borger{n} Testesen"}


def _state(tmp: Path) -> dict[str, Any]:
    """Ids per comment table, every column of every table as text, the erasure log, and the exports as text."""
    con = duckdb.connect(str(tmp / "wh.duckdb"), read_only=True)
    try:
        ids = {t: {r[0] for r in con.execute(f"select {c} from {t}").fetchall()} for t, c in COMMENT_TABLES.items()}
        tombstones = con.execute(
            "select comment_id, deleted_at is not null, message, author_key, tag_spans from stg_comments"
        ).fetchall()
        erasures = con.execute("select * from core_erasures order by erased_at").fetchall()
        ideas_view = {r[0] for r in con.execute("select idea_id from ideas").fetchall()}
    finally:
        con.close()
    tables = {f"{t}.{c}": text for t, c, text in duckdb_columns(tmp / "wh.duckdb")}
    exports = {where: text for p in sorted((tmp / "exports").rglob("*")) if p.is_file()
               for where, text in file_texts(p)}
    files = {p.name: p.read_bytes() for p in tmp.glob("wh*.duckdb")}  # the warehouse and its snapshot
    return {"ids": ids, "tombstones": {r[0]: r[1:] for r in tombstones}, "erasures": erasures, "tables": tables,
            "exports": exports, "ideas_view": ideas_view, "files": files}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    tmp = tmp_path_factory.mktemp("forget")
    prefect_home = tmp_path_factory.mktemp("forget-prefect-home")
    token, salt = "EAAGforget" + secrets.token_hex(8), secrets.token_hex(32)
    person, replier, other = _citizen(0), _citizen(1), _citizen(2)
    comments = [comment(i, text, _citizen(10 + i), likes=i % 4) for i, text in enumerate(PLAIN_IDEAS)]
    thread_root = comment(20, "Lav en trampolinpark ved rådhuset, gerne med lys om aftenen", other, likes=5)
    comments += [
        comment(21, "Hvad med en svævebane over søen til turisterne", person, likes=3),
        comment(22, "Lav en isbod ved stranden om sommeren, det savner vi", person),
        thread_root,
        comment(23, "Og en vandlegeplads ved siden af trampolinerne", replier, parent=thread_root["id"]),
        comment(24, "Lav også toiletter ved trampolinparken", person, parent=thread_root["id"]),
        comment(25, "Det kunne være fedt med en minigolfbane ved biblioteket", replier, likes=2),
        comment(26, "Lav en skøjtebane på torvet om vinteren", replier),
        # someone else tags the person: the tag's key in that comment's raw payload is the person's data too
        comment(27, f"{person['name']} se lige her", replier,
                tags=[{**person, "type": "user", "offset": 0, "length": len(person["name"])}]),
    ]
    by_id = {c["id"]: c for c in comments}
    person_ids = [c["id"] for c in comments if c.get("from") == person]
    thread_ids = [thread_root["id"], comments[-5]["id"], comments[-4]["id"]]  # the root and both replies
    deleted = comments[-3]
    config = write_config(tmp)
    with GraphStandIn(dataset(comments), tokens={token: "page"}) as standin:
        env = cli_env(standin, token, salt, prefect_home)
        runs = [cli(tmp, env, "run", "--config", str(config))]
        before = _state(tmp)
        # a planner's correction names one of the person's ideas
        runs.append(cli(tmp, env, "topics", "exclude", person_ids[1]))
        forgets = [cli(tmp, env, "forget", "--facebook-user-id", person["id"]),
                   cli(tmp, env, "forget", "--comment-id", thread_root["id"])]
        after_forget = _state(tmp)
        assert standin.delete_comment(deleted["id"]) == [deleted["id"]]
        runs.append(cli(tmp, env, "run", "--config", str(config)))
        after_rerun = _state(tmp)
    everything = set(by_id)
    assert everything <= before["ids"]["stg_comments"], "the first run saw every comment"
    assert set(person_ids) | {thread_root["id"], deleted["id"]} <= before["ids"]["core_ideas"], "all were ideas"
    return Story(
        tmp=tmp, salt=salt, user_id=person["id"], name=person["name"],
        person_ids=person_ids, person_texts=[by_id[i]["message"] for i in person_ids],
        thread_ids=thread_ids, thread_texts=[by_id[i]["message"] for i in thread_ids],
        deleted_ids=[deleted["id"]], deleted_text=deleted["message"],
        kept_ids=sorted(everything - set(person_ids) - set(thread_ids) - {deleted["id"]}),
        forgets=forgets, after_forget=after_forget, after_rerun=after_rerun, runs=runs,
    )


def test_every_command_succeeds(story: Story) -> None:
    for result in story.runs + story.forgets:
        assert result.returncode == 0, result.stderr[-3000:]
    assert all("erased" in f.stdout and "civic-ideas analyse" in f.stdout for f in story.forgets)


@pytest.mark.parametrize("moment", ["after_forget", "after_rerun"])
def test_forgotten_comments_are_in_no_table(story: Story, moment: str) -> None:
    state = getattr(story, moment)
    gone = set(story.person_ids) | set(story.thread_ids)
    for table, ids in state["ids"].items():
        assert not ids & gone, (moment, table, ids & gone)
    assert not state["ideas_view"] & gone
    assert set(story.kept_ids) <= state["ids"]["stg_comments"], "nobody else's comments went"


@pytest.mark.parametrize("moment", ["after_forget", "after_rerun"])
def test_no_trace_of_the_person_or_the_comments_in_any_column(story: Story, moment: str) -> None:
    """Not their text, not their key, not their comment ids: only the suppression list remembers whom to skip."""
    state = getattr(story, moment)
    key = author_key(story.user_id, story.salt.encode())
    needles = {"author key": key, "user id": story.user_id}
    needles |= {f"text {i}": t for i, t in enumerate(story.person_texts + story.thread_texts)}
    needles |= {f"id {i}": c for i, c in enumerate(story.person_ids + story.thread_ids)}
    found = [(where, label) for where, text in state["tables"].items() if not where.startswith("core_suppressions.")
             for label, value in needles.items() if value in text]
    assert found == []


@pytest.mark.parametrize("moment", ["after_forget", "after_rerun"])
def test_the_person_s_name_is_gone_from_the_comments_that_tagged_them(story: Story, moment: str) -> None:
    """Issue 17 #10: another citizen's comment tagged the person by name; the name stayed in its message, raw
    payload and history. Now it is `[navn]` in every column and in no byte of the warehouse or its snapshot."""
    state = getattr(story, moment)
    assert [where for where, text in state["tables"].items() if story.name in text] == []
    assert any("[navn] se lige her" in text for where, text in state["tables"].items()
               if where.startswith("stg_comments.")), "the tagging comment stays, without the name"
    if moment == "after_forget":  # forget compacts the file; a later run writes only what it stores
        assert sorted(state["files"]) == ["wh-snapshot.duckdb", "wh.duckdb"]
        assert [name for name, data in state["files"].items() if story.name.encode() in data] == []


def test_erasures_are_logged_without_personal_data(story: Story) -> None:
    erasures = story.after_rerun["erasures"]
    assert [e[1] for e in erasures] == ["facebook_user", "comment"]
    assert erasures[0][2] >= 3 * len(story.person_ids)  # raw, staging and ideas rows at least
    assert erasures[1][2] >= 3
    logged = json.dumps([list(map(str, e)) for e in erasures])
    key = author_key(story.user_id, story.salt.encode())
    for value in [story.user_id, key, *story.person_ids, *story.thread_ids, *story.person_texts]:
        assert value not in logged
    assert erasures == story.after_forget["erasures"], "a run adds no erasure rows"


def test_exports_drop_forgotten_and_deleted_comments_at_the_next_run(story: Story) -> None:
    texts = story.person_texts + story.thread_texts + [story.deleted_text]
    ids = story.person_ids + story.thread_ids + story.deleted_ids
    exports = story.after_rerun["exports"]
    assert any(path.endswith("ideas.csv") for path in exports)
    found = [(where, value) for where, text in exports.items() for value in texts + ids if value in text]
    assert found == []
    ideas_csv = next(text for where, text in exports.items() if where.endswith("ideas.csv"))
    assert any(kept in ideas_csv for kept in story.kept_ids), "the exports still hold everybody else's ideas"


def test_a_comment_deleted_on_facebook_keeps_only_a_tombstone(story: Story) -> None:
    (deleted,) = story.deleted_ids
    state = story.after_rerun
    assert state["tombstones"][deleted] == (True, None, None, None)  # deleted_at set; message, author, tags purged
    for table in ("raw_comments", "stg_comment_history", "core_ideas"):
        assert deleted not in state["ids"][table], table
    assert deleted not in state["ideas_view"]
    found = [where for where, text in state["tables"].items() if story.deleted_text in text]
    assert found == []


def test_forget_needs_exactly_one_of_its_options(story: Story) -> None:
    for args in ([], ["--facebook-user-id", "1", "--comment-id", "2"]):
        result = cli(story.tmp, {"PATH": "/usr/bin:/bin", "CIVIC_IDEAS_SALT": story.salt}, "forget", *args)
        assert result.returncode != 0
        assert result.stderr.count("\n") == 1 and "exactly one" in result.stderr, result.stderr


def test_forget_completes_on_a_path_with_quotes_and_spaces(tmp_path: Path) -> None:
    """Issue 17 #8 and #10 through the installed CLI, without a run: a warehouse at a path with `'`, `"` and spaces,
    a person's own comment and another citizen's comment tagging them. forget completes, compacts and snapshots, and
    neither their text nor their name is left in a byte of the warehouse or the snapshot."""
    import datetime as dt

    from test_privacy_e2e import CLI

    from transforms.pseudonym import pseudonymise_comments
    from transforms.records import comments_table
    from warehouse import db, load

    salt = secrets.token_hex(32)
    person, other = _citizen(0), _citizen(1)
    pad = " cykelsti" * 250  # long texts are stored as they are, so their bytes can be looked for
    own = comment(1, f"Mit hemmelige forslag om en svævebane{pad}", person)
    tagging = comment(2, f"{person['name']} se lige her{pad}", other,
                      tags=[{**person, "type": "user", "offset": 0, "length": len(person["name"])}])
    payloads = pseudonymise_comments([{**c, "parent": None} for c in (own, tagging)], salt.encode(), "1")
    folder = tmp_path / "Kommunens 'data' \"mappe\""
    warehouse = folder / "it's the warehouse.duckdb"
    with db.session(warehouse) as con:
        load.save_scan(con, comments_table(payloads, "10152999000000001", "demo"), post_id="10152999000000001",
                       run_id="r1", complete=True, n_requests=1, now=dt.datetime.now(dt.UTC))
        con.execute("checkpoint")
    assert person["name"].encode() in warehouse.read_bytes()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_", "PREFECT_API"))}
    env["CIVIC_IDEAS_SALT"] = salt
    result = subprocess.run([CLI, "--warehouse", str(warehouse), "forget", "--facebook-user-id", person["id"]],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "erased" in result.stdout
    snapshot = folder / "it's the warehouse-snapshot.duckdb"
    for path in (warehouse, snapshot):
        data = path.read_bytes()
        assert "svævebane".encode() not in data and person["name"].encode() not in data, path.name
    assert sorted(p.name for p in folder.iterdir()) == sorted([warehouse.name, snapshot.name, warehouse.name + ".lock"])
