"""Issue 6, end to end: the whole pipeline, run by the installed CLI against the Graph API stand-in, leaves no
secret and no personal data in clear anywhere on disk or in its output.

Citizens with distinctive names and user ids write ideas holding e-mail addresses, phone numbers and CPR numbers, and
tag friends. After a normal run and a `--debug` run (every log at DEBUG, our loggers routed into Prefect's database),
every file under the test folder (warehouse, its WAL and snapshot, exports) and under PREFECT_HOME (prefect.db, read
as bytes and table by table) is searched, and so is everything the CLI printed:

- the access token, the salt and every user id: nowhere;
- names, e-mails, phone numbers and CPR numbers: nowhere, except in the message text of a comment inside the
  warehouse (the citizen's own published comment, which analysts may read); never in an export.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from sources.standin import GraphStandIn
from transforms.redact import contains_pii

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).parent / "civic-ideas")
PAGE_ID = "169211373177777"
POST_ID = f"{PAGE_ID}_10152999000000001"
SLUG = "privatliv"

# (name, the idea they write); {tag} marks where a tagged friend's name goes.
CITIZENS = [
    ("Zacharias Quistgaard-Ølholm",
     "Lav en cykelsti langs Åen, ring til mig på 27 41 93 58 hvis I vil høre mere"),
    ("Henrietta Vindbjerg-Skovgaard",
     "Hvad med en legeplads ved søen? Skriv til HENRIETTA.VINDBJERG@Example.com så hjælper jeg 🙂"),
    ("Bartholomæus Kjærsgaard-Munk",
     "Det kunne være fedt med flere bænke og træer i parken. Mit cpr er 150379-2847 hvis I skal bruge det"),
    ("Ulrikke Præstholm",
     "🚲🌳 {tag} og jeg foreslår en cykelsti til skolen med lys, ring +45 61 72 83 94"),
    ("Evangeline Fjordbakke",
     "Savner en hundeskov ved motorvejen, kontakt zacharias.quistgaard@example.net eller 0045 53649172"),
    ("Kasimir Overgaard-Lyngsø",
     "Lav en skaterbane på overdækningen for de unge, min søn {tag} vil gerne hjælpe (tlf 3184-2957)"),
    ("Walburga Høgsbro-Ravn",
     "Hvad med en legeplads med klatrestativ til de små? cpr 0306851934 og tlf 42.19.68.37"),
    ("Leopoldine Sværdfisk",
     "Plant flere træer langs stien og lav bænke, mit personnummer er 221199 4471"),
]
TAGGED = ["Philippa Ravnsbjerg-Tvede", "Theodor Stenhøj-Qvist"]
PLAIN_IDEAS = [
    "Lav en cykelsti hele vejen til Kjellerup", "Hvad med bedre lys på cykelstien om vinteren",
    "Det kunne være fedt med en legeplads i parken", "Flere træer og bænke i byen tak",
    "Savner en skaterbane til de store børn", "Lav en park med plads til hunde",
    "Hvad med en cykelsti langs søen", "Flere legepladser med gynger",
    "Lav en løbesti med lys i parken", "Det ville være godt med flere træer ved motorvejen",
]
PHONES = ["27 41 93 58", "+45 61 72 83 94", "0045 53649172", "3184-2957", "42.19.68.37"]
EMAILS = ["HENRIETTA.VINDBJERG@Example.com", "zacharias.quistgaard@example.net"]
CPRS = ["150379-2847", "0306851934", "221199 4471"]


def _user_id() -> str:
    return "1000" + "".join(secrets.choice("0123456789") for _ in range(11))


def comment(n: int, message: str | None, author: dict[str, str] | None, *, parent: str | None = None,
            tags: list[dict[str, Any]] | None = None, likes: int = 0) -> dict[str, Any]:
    """One comment in the `facebook.json` layout (docs/interfaces.md)."""
    item: dict[str, Any] = {
        "id": f"10152999000000001_{700000000000000 + n}", "post_id": POST_ID, "parent_id": parent,
        "created_time": f"2014-05-02T{9 + n // 60:02d}:{n % 60:02d}:00+0000", "like_count": likes,
        "is_hidden": False,
    }
    if message is not None:
        item["message"] = message
    if author is not None:
        item["from"] = author
    if tags:
        item["message_tags"] = tags
    return item


def dataset(comments: list[dict[str, Any]]) -> dict[str, Any]:
    """A one-post dataset for the stand-in."""
    return {
        "page": {"id": PAGE_ID, "name": "Silkeborg Kommune"},
        "posts": [{"id": POST_ID, "created_time": "2014-05-02T08:00:00+0000", "consultation": SLUG,
                   "message": "Hvad skal der ske på overdækningen af motorvejen? Skriv din idé herunder 👇",
                   "permalink_url": "https://www.facebook.com/silkeborgkommune/posts/10152999000000001"}],
        "comments": comments,
    }


def write_config(folder: Path) -> Path:
    """A consultations.toml for the one-post dataset."""
    path = folder / "consultations.toml"
    path.write_text(
        f'[facebook]\npage_id = "{PAGE_ID}"\n\n[[consultations]]\nslug = "{SLUG}"\n'
        f'title = "Privatliv i praksis"\npost_ids = ["{POST_ID}"]\nlanguage = "da"\n',
        encoding="utf-8",
    )
    return path


def cli_env(standin: GraphStandIn, token: str, salt: str, prefect_home: Path, **extra: str) -> dict[str, str]:
    """The CLI's environment: the stand-in, the token, the salt and a fresh PREFECT_HOME; nothing from the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_", "PREFECT_"))}
    env.update(FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=token, CIVIC_IDEAS_SALT=salt,
               CIVIC_IDEAS_SALT_FILE=str(prefect_home.parent / "no-salt-file"), PREFECT_HOME=str(prefect_home),
               PREFECT_SERVER_ANALYTICS_ENABLED="false",
               # runs go through Prefect (as with a configured API), so its database has something to search
               CIVIC_IDEAS_PREFECT="on",
               # a fresh PREFECT_HOME migrates its database first; give a busy machine time for that
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", **extra)
    return env


def cli(tmp: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `civic-ideas` on tmp/wh.duckdb and tmp/exports."""
    command = [CLI, "--warehouse", str(tmp / "wh.duckdb"), "--export-dir", str(tmp / "exports"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240, check=False)


# --- reading every file ---------------------------------------------------------------------------------------------


def file_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for a file: its bytes as text, and what it decodes to (zip members, Parquet cells), unescaped."""
    raw = path.read_bytes()
    yield str(path), raw.decode("utf-8", errors="replace")
    yield f"{path} (latin-1)", raw.decode("latin-1")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                text = archive.read(member).decode("utf-8", errors="replace")
                yield f"{path}!{member}", html.unescape(text)
    if path.suffix == ".parquet":
        yield f"{path} (decoded)", json.dumps(pq.read_table(io.BytesIO(raw)).to_pylist(), default=str,
                                              ensure_ascii=False)
    if path.suffix in (".html", ".htm", ".xml", ".md", ".csv"):
        yield f"{path} (unescaped)", html.unescape(raw.decode("utf-8", errors="replace"))


def string_cells(path: Path) -> list[str]:
    """Every string cell of a CSV or Parquet export."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str) if path.suffix == ".csv" else pd.read_parquet(path)
    return [v for column in frame.columns for v in frame[column] if isinstance(v, str)]


def duckdb_columns(path: Path) -> Iterator[tuple[str, str, str]]:
    """(table, column, every value as text) of every column of every table in a DuckDB file.

    The file is compressed, so searching its bytes is not enough. A raw payload's `message` comes out as its own
    column `payload.message`, so that the rest of the payload is searched without it.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall()
            for column, data_type in columns:
                expr = f'"{column}"::varchar'
                if data_type == "JSON":
                    yield table, f"{column}.message", _joined(
                        con, f"""select case when json_type("{column}") = 'OBJECT' then "{column}"->>'message' end
                                 from "{schema}"."{table}" """)
                    expr = f"""case when json_type("{column}") = 'OBJECT'
                                    then json_merge_patch("{column}", '{{"message": null}}') else "{column}" end
                               ::varchar"""
                yield table, column, _joined(con, f'select {expr} from "{schema}"."{table}"')
    finally:
        con.close()


def _joined(con: duckdb.DuckDBPyConnection, query: str) -> str:
    return "\n".join(str(r[0]) for r in con.execute(query).fetchall() if r[0] is not None)


def sqlite_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(table.column, every value as text) of every table of a SQLite file (Prefect's database)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            cursor = con.execute(f'select * from "{table}"')
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            for i, name in enumerate(names):
                values = [r[i].decode("utf-8", "replace") if isinstance(r[i], bytes) else str(r[i]) for r in rows]
                yield f"{path}:{table}.{name}", "\n".join(values)
    finally:
        con.close()


# --- what must not be found -----------------------------------------------------------------------------------------


def _compact(value: str) -> str:
    return re.sub(r"[^0-9]", "", value.removeprefix("+45").removeprefix("0045"))


@dataclass
class Secrets:
    """The values searched for, by how strictly."""

    everywhere: dict[str, str] = field(default_factory=dict)  # label -> value: never anywhere
    personal: dict[str, str] = field(default_factory=dict)  # never outside a comment's own message text

    def add_personal(self, label: str, value: str) -> None:
        self.personal[label] = value
        if label.startswith(("phone", "cpr")):
            self.personal[f"{label} (digits)"] = _compact(value)

    def found(self, text: str, *, personal: bool = True) -> list[str]:
        """Labels of the values that occur in `text` (e-mails case-insensitively)."""
        lowered = text.lower()
        hits = [label for label, value in self.everywhere.items() if value in text]
        if personal:
            hits += [label for label, value in self.personal.items()
                     if value in text or (label.startswith("email") and value.lower() in lowered)]
        return hits


MESSAGE_COLUMNS = {("stg_comments", "message"), ("stg_comment_history", "message"), ("raw_comments", "payload.message")}


def scan(tmp: Path, prefect_home: Path, outputs: list[str], values: Secrets) -> list[str]:
    """Every place one of the values is found in clear."""
    leaks: list[str] = []
    for i, out in enumerate(outputs):
        leaks += [f"CLI output #{i}: {hit}" for hit in values.found(out)]
    for root in (tmp, prefect_home):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            # Inside the warehouse, message text is the citizen's own comment: its bytes are searched for secrets
            # only, and its decoded columns below for everything outside message text.
            in_warehouse = "exports" not in path.relative_to(root).parts and root == tmp
            for where, text in file_texts(path):
                leaks += [f"{where}: {hit}" for hit in values.found(text, personal=not in_warehouse)]
            if path.suffix == ".duckdb":
                for table, column, text in duckdb_columns(path):
                    allowed = (table, column) in MESSAGE_COLUMNS
                    leaks += [f"{path}:{table}.{column}: {hit}" for hit in values.found(text, personal=not allowed)]
            if path.suffix == ".db":
                for where, text in sqlite_texts(path):
                    leaks += [f"{where}: {hit}" for hit in values.found(text)]
    return leaks


# --- the runs --------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    tmp: Path
    prefect_home: Path
    values: Secrets
    outputs: list[subprocess.CompletedProcess[str]]
    pii_ids: list[str]
    paged_requests: int  # requests that followed a `paging.next` URL (which carries the token)


@pytest.fixture(scope="module")
def privacy_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("privacy")
    prefect_home = tmp_path_factory.mktemp("prefect-home")
    token = "EAAGtesttoken" + secrets.token_hex(16)
    salt = "salt-" + secrets.token_hex(24)
    values = Secrets(everywhere={"token": token, "salt": salt})
    friends = [{"id": _user_id(), "name": n} for n in TAGGED]
    for friend in friends:
        values.everywhere[f"user id of {friend['name']}"] = friend["id"]
        values.add_personal(f"name {friend['name']}", friend["name"])
        values.add_personal(f"surname {friend['name']}", friend["name"].split()[-1])
    comments, pii_ids = [], []
    for n, (name, idea) in enumerate(CITIZENS):
        author = {"id": _user_id(), "name": name}
        values.everywhere[f"user id of {name}"] = author["id"]
        values.add_personal(f"name {name}", name)
        values.add_personal(f"surname {name}", name.split()[-1])
        tags = None
        if "{tag}" in idea:
            friend = friends[n % len(friends)]
            offset = idea.index("{tag}")  # code points, as the Graph API counts (emoji before it on purpose)
            idea = idea.replace("{tag}", friend["name"])
            tags = [{**friend, "type": "user", "offset": offset, "length": len(friend["name"])}]
        comments.append(comment(n, idea, author, tags=tags, likes=n % 4))
        pii_ids.append(comments[-1]["id"])
    for label, items in (("phone", PHONES), ("email", EMAILS), ("cpr", CPRS)):
        for i, value in enumerate(items):
            values.add_personal(f"{label} {i}", value)
    extra = len(comments)
    for i, idea in enumerate(PLAIN_IDEAS):
        author = {"id": _user_id(), "name": f"Borger{chr(65 + i)} Testesen"}
        values.everywhere[f"user id {author['name']}"] = author["id"]
        comments.append(comment(extra + i, idea, author if i % 3 else None, likes=i % 5))
    zacharias = comments[0]["from"]
    tag_only = f"{TAGGED[0]} se her 😀"
    comments += [
        comment(40, "Tak for en god idé! /Anne, Silkeborg Kommune", {"id": PAGE_ID, "name": "Silkeborg Kommune"},
                parent=comments[0]["id"]),
        comment(41, tag_only, zacharias, tags=[{**friends[0], "type": "user", "offset": 0, "length": len(TAGGED[0])}]),
        comment(42, "Hvad med også en bro over åen? ring 27 41 93 58", zacharias, parent=comments[0]["id"]),
    ]
    config = write_config(tmp)
    with GraphStandIn(dataset(comments), tokens={token: "page"}) as standin:
        env = cli_env(standin, token, salt, prefect_home, CIVIC_IDEAS_PAGE_LIMIT="4")
        first = cli(tmp, env, "run", "--config", str(config))
        debug_env = {**env, "PREFECT_LOGGING_LEVEL": "DEBUG",
                     "PREFECT_LOGGING_EXTRA_LOGGERS": "flows,sources,transforms,warehouse,models,urllib3"}
        second = cli(tmp, debug_env, "--debug", "run", "--config", str(config))
        paged = sum(1 for r in standin.requests if r.param("after"))
    return Run(tmp, prefect_home, values, [first, second], pii_ids, paged)


def test_both_runs_succeed_and_used_paging(privacy_run: Run) -> None:
    for result in privacy_run.outputs:
        assert result.returncode == 0, result.stderr[-3000:]
    assert (privacy_run.prefect_home / "prefect.db").is_file()  # Prefect's own database is there to be searched
    assert privacy_run.paged_requests >= 4, "the scans followed next URLs, so a leaked one would be found"


def test_ideas_with_personal_data_reach_the_exports_redacted(privacy_run: Run) -> None:
    ideas = (privacy_run.tmp / "exports" / SLUG / "ideas.csv").read_text(encoding="utf-8")
    for placeholder in ("[navn]", "[telefon]", "[email]", "[cpr]"):
        assert placeholder in ideas
    con = duckdb.connect(str(privacy_run.tmp / "wh.duckdb"), read_only=True)
    try:
        texts = dict(con.execute("select idea_id, text from core_ideas").fetchall())
    finally:
        con.close()
    assert set(privacy_run.pii_ids) <= set(texts), "every comment with personal data is an idea, so it is exported"
    for idea_id in privacy_run.pii_ids:
        assert contains_pii(texts[idea_id]) == [], texts[idea_id]


def test_no_secret_or_personal_data_anywhere(privacy_run: Run) -> None:
    outputs = [r.stdout + r.stderr for r in privacy_run.outputs]
    leaks = scan(privacy_run.tmp, privacy_run.prefect_home, outputs, privacy_run.values)
    assert leaks == []


def test_every_export_text_cell_is_free_of_pii(privacy_run: Run) -> None:
    folder = privacy_run.tmp / "exports"
    paths = sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".parquet"))
    assert len(paths) >= 4
    for path in paths:
        for cell in string_cells(path):
            assert contains_pii(cell) == [], (path, cell)


def test_the_scan_would_see_a_leak(privacy_run: Run, tmp_path: Path) -> None:
    """The search is only worth something if it finds what it looks for in every kind of file it reads."""
    values = privacy_run.values
    con = duckdb.connect(str(tmp_path / "leak.duckdb"))
    con.execute("create table t (note varchar, payload json, ids json)")
    con.execute("insert into t values ('x', ?, ?)",
                [json.dumps({"message": "ok", "who": CITIZENS[0][0]}), json.dumps([values.everywhere["salt"]])])
    con.close()
    (tmp_path / "exports").mkdir()
    with zipfile.ZipFile(tmp_path / "exports" / "leak.xlsx", "w") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>{html.escape(EMAILS[0])}</t>")
    home = tmp_path / "home"
    home.mkdir()
    db = sqlite3.connect(home / "prefect.db")
    db.execute("create table log (message text)")
    db.execute("insert into log values (?)", [f"GET /v25.0/x?access_token={values.everywhere['token']}"])
    db.commit()
    db.close()
    leaks = scan(tmp_path, home, [f"ring {PHONES[0]}"], values)
    assert any("leak.duckdb:t.payload" in leak and "name" in leak for leak in leaks)
    assert any("leak.duckdb:t.ids" in leak and "salt" in leak for leak in leaks)
    assert any("leak.xlsx!xl/sharedStrings.xml" in leak and "email 0" in leak for leak in leaks)
    assert any("prefect.db:log.message" in leak and "token" in leak for leak in leaks)
    assert any("CLI output" in leak and "phone 0" in leak for leak in leaks)
