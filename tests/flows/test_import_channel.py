"""Other channels: a citizens' meeting's notes (CSV, XLSX) imported into a consultation beside its Facebook comments,
then detected, clustered, exported and erased like comments. Real DuckDB files, real files, the flow's task bodies
and the CLI's command functions (click's runner, in-process)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_privacy_e2e import duckdb_columns, file_texts

from flows.cli import main
from flows.imports import import_file
from flows.pipeline import cluster_topics, export_files, find_ideas, find_imported_ideas
from flows.settings import load_consultations
from sources.files import ImportColumns
from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from warehouse import db, load

SLUG = "motorvejsoverdaekning"
SALT = "import-channel-test-salt"
AUTHORS = ["Gunnhild Præstegaard-Vinther", "Leopold Ravnsborg-Kjær"]  # must never reach the disk in clear
# (Nr, Dato, Navn, Note): what a planner typed during a citizens' meeting
NOTES = [
    ("1", "12-05-2014", AUTHORS[0], "Lav en stor park med træer og bænke oven på motorvejen, gerne med en sø"),
    ("2", "12.05.2014", AUTHORS[1], "Tak for et godt møde"),
    ("3", "2014-05-12", "", "Byg en skaterbane til de unge med lys om aftenen,\nså de har et sted at være"),
    ("4", "12-05-2014", AUTHORS[1], "Hvad med en cykelsti over overdækningen? Skriv til leo@example.com"),
]
COLUMNS = ImportColumns(text="Note", item_id="Nr", date="Dato", author="Navn")
ARGS = ["--consultation", SLUG, "--channel", "borgermoede", "--text-column", "Note", "--id-column", "Nr",
        "--date-column", "Dato", "--author-column", "Navn"]


def _csv(path: Path, rows: list[tuple[str, ...]], delimiter: str = ";") -> Path:
    lines = [delimiter.join(["Nr", "Dato", "Navn", "Note"])]
    lines += [delimiter.join([*r[:3], '"' + r[3].replace('"', '""') + '"']) for r in rows]
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _q(wh: Path, sql: str, **params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _items(wh: Path) -> list[tuple]:
    return _q(wh, "select * exclude (last_imported_at) from stg_imported_items order by consultation, item_id")


@pytest.fixture()
def world(tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """A warehouse with the motorway consultation's Facebook comments, and the salt in the environment."""
    monkeypatch.setenv("CIVIC_IDEAS_SALT", SALT)
    monkeypatch.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp_path / "no-salt-file"))
    data = json.loads((sample_dir / "facebook.json").read_text(encoding="utf-8"))
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG)
    post_id = consultation.post_ids[0]
    comments = [c for c in data["comments"] if c["post_id"] == post_id]
    wh = tmp_path / "wh.duckdb"
    table = comments_table(pseudonymise_comments(comments, SALT.encode(), data["page"]["id"]), post_id, SLUG)
    with db.session(wh) as con:
        load.save_scan(con, table, post_id=post_id, run_id="r0", complete=False, n_requests=1,
                       now=dt.datetime.now(dt.UTC))
    return wh, consultation, tmp_path


def _analyse(wh: Path, consultation, exports: Path, run: str = "r1") -> None:
    find_ideas.fn(str(wh), SLUG)
    find_imported_ideas.fn(str(wh), SLUG)
    cluster_topics.fn(str(wh), consultation, run)
    export_files.fn(str(wh), consultation, str(exports))


def _cli(wh: Path, *args: str):
    return CliRunner().invoke(main, ["--warehouse", str(wh), *args], catch_exceptions=False)


def test_reimport_adds_nothing_and_updates_an_edited_row(world) -> None:
    wh, _, tmp = world
    notes = _csv(tmp / "moede.csv", NOTES)
    assert import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS) == \
        {"new": 4, "changed": 0, "unchanged": 0, "erased": 0, "skipped": 0}
    before = _items(wh)
    assert import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)["unchanged"] == 4
    assert _items(wh) == before
    edited = [*NOTES[:2], (*NOTES[2][:3], "Byg en skaterbane og en parkourbane til de unge"), NOTES[3]]
    counts = import_file(wh, _csv(tmp / "moede.csv", edited, ","), consultation=SLUG, channel="borgermoede",
                         columns=COLUMNS)
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 1, 3)
    after = _q(wh, "select item_id, text, first_imported_at < last_imported_at from stg_imported_items "
                   "order by item_id")
    assert len(after) == 4 and after[2] == ("3", "Byg en skaterbane og en parkourbane til de unge", True)
    assert [r[1] for r in after[:2]] == [r[3] for r in NOTES[:2]]


def test_xlsx_without_id_column_gets_content_ids_and_reimport_adds_nothing(world) -> None:
    wh, _, tmp = world
    wb = openpyxl.Workbook()
    wb.active.title = "Forside"
    wb.active.append(["Intet her"])
    ws = wb.create_sheet("Noter")
    ws.append(["Dato", "Navn", "Note"])
    for _, _, name, note in NOTES:
        ws.append([dt.datetime(2014, 5, 12, 19, 0), name or None, note])
    ws.append([None, None, None])
    wb.save(tmp / "moede.xlsx")
    columns = ImportColumns(text="Note", date="Dato", author="Navn")
    first = import_file(wh, tmp / "moede.xlsx", consultation=SLUG, channel="borgermoede", columns=columns,
                        sheet="Noter")
    second = import_file(wh, tmp / "moede.xlsx", consultation=SLUG, channel="borgermoede", columns=columns,
                         sheet="Noter")
    assert first["new"] == 4 and second == {"new": 0, "changed": 0, "unchanged": 4, "erased": 0, "skipped": 0}
    rows = _q(wh, "select item_id, created_at, source_file from stg_imported_items")
    assert len(rows) == 4 and all(len(r[0]) == 16 for r in rows) and {r[2] for r in rows} == {"moede.xlsx"}
    assert {r[1] for r in rows} == {dt.datetime(2014, 5, 12, 17, 0, tzinfo=dt.UTC)}  # 19:00 Danish summer time


def test_imported_ideas_are_detected_clustered_and_exported_beside_facebook_ones(world) -> None:
    wh, consultation, tmp = world
    import_file(wh, _csv(tmp / "moede.csv", NOTES), consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    _analyse(wh, consultation, tmp / "exports")
    ideas = {r[0]: r[1:] for r in _q(wh, "select idea_id, channel, topic_id, like_count, text from ideas")}
    imported = {i: v for i, v in ideas.items() if v[0] == "borgermoede"}
    assert set(imported) == {"borgermoede:1", "borgermoede:3", "borgermoede:4"}  # not "Tak for et godt møde"
    assert all(topic is not None and likes == 0 for _, topic, likes, _ in imported.values())
    assert "[email]" in imported["borgermoede:4"][3] and "leo@example.com" not in imported["borgermoede:4"][3]
    facebook = [i for i, v in ideas.items() if v[0] == "facebook"]
    assert len(facebook) > 50 and not any(":" in i for i in facebook)
    n_topic_ideas = _q(wh, "select sum(n_ideas) from topics where consultation = $c", c=SLUG)[0][0]
    assert n_topic_ideas == len(ideas)  # the topics' support counts include the imported ideas

    folder = tmp / "exports" / SLUG
    frame = pd.read_csv(folder / "ideas.csv", dtype=str)
    assert set(frame.loc[frame["channel"] == "borgermoede", "idea_id"]) == set(imported)
    sheet = openpyxl.load_workbook(folder / f"{SLUG}.xlsx")["Idéer"]
    header = [c.value for c in sheet[1]]
    kanal = [row[header.index("Kanal")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert kanal.count("Borgermøde") == 3 and "Facebook" in kanal
    assert "fra andre kanaler end Facebook" in (folder / "report.html").read_text(encoding="utf-8")

    for where, text in [t for p in folder.rglob("*") if p.is_file() for t in file_texts(p)]:
        assert not any(a in text for a in AUTHORS), where
    for table, column, text in duckdb_columns(wh):
        assert not any(a.casefold() in text.casefold() for a in AUTHORS), f"{table}.{column}"


def test_forget_an_imported_item_everywhere_and_reimport_does_not_bring_it_back(world) -> None:
    wh, consultation, tmp = world
    notes = _csv(tmp / "moede.csv", NOTES)
    import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    _analyse(wh, consultation, tmp / "exports")
    gone = "borgermoede:1"
    assert _q(wh, "select count(*) from core_idea_topics where idea_id = $i", i=gone) == [(1,)]
    with db.session(wh) as con:  # a planner's rule and a topic example that name it
        load.add_correction(con, SLUG, "move", idea_id=gone, target_topic_id=0, created_by="test",
                            now=dt.datetime.now(dt.UTC))
        con.execute("update core_topics set representative_ids = to_json([$i]) where topic_id = 0", {"i": gone})

    result = _cli(wh, "forget", "--comment-id", gone)
    assert result.exit_code == 0, result.output
    assert _q(wh, "select count(*) from stg_imported_items where item_id = '1'") == [(0,)]
    for table in ("core_ideas", "core_idea_topics", "topic_corrections"):
        assert _q(wh, f"select count(*) from {table} where idea_id = $i", i=gone) == [(0,)], table
    assert _q(wh, "select count(*) from core_topics where representative_ids::varchar like '%borgermoede:1%'") \
        == [(0,)]
    assert _q(wh, "select kind from core_erasures") == [("imported_item",)]

    again = import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    assert again["erased"] == 1 and again["new"] == 0
    _analyse(wh, consultation, tmp / "exports", "r2")
    assert _q(wh, "select count(*) from ideas where idea_id = $i", i=gone) == [(0,)]
    assert gone not in (tmp / "exports" / SLUG / "ideas.csv").read_text(encoding="utf-8")


def test_forget_an_imported_author_removes_their_items_for_good(world) -> None:
    wh, consultation, tmp = world
    notes = _csv(tmp / "moede.csv", NOTES)
    import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    _analyse(wh, consultation, tmp / "exports")
    result = _cli(wh, "forget", "--imported-author", f"  {AUTHORS[1].upper()} ")
    assert result.exit_code == 0, result.output
    assert {r[0] for r in _q(wh, "select item_id from stg_imported_items")} == {"1", "3"}
    assert _q(wh, "select count(*) from core_ideas where idea_id = 'borgermoede:4'") == [(0,)]
    again = import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    assert again["erased"] == 2 and again["new"] == 0
    assert {r[0] for r in _q(wh, "select item_id from stg_imported_items")} == {"1", "3"}


def test_the_cli_imports_into_a_new_warehouse(tmp_path: Path, sample_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp_path / "no-salt-file"))
    monkeypatch.delenv("CIVIC_IDEAS_SALT", raising=False)
    wh = tmp_path / "new" / "wh.duckdb"
    notes = _csv(tmp_path / "moede.csv", [r[:2] + ("",) + r[3:] for r in NOTES])
    args = [a for a in ARGS if a not in ("--author-column", "Navn")]
    unknown = _cli(wh, "import", str(notes), *args)  # a new warehouse knows no consultation: --config names them
    assert unknown.exit_code == 1 and "unknown consultation motorvejsoverdaekning" in unknown.stderr
    assert "--config" in unknown.stderr
    result = _cli(wh, "import", str(notes), *args, "--config", str(sample_dir / "consultations.toml"))
    assert result.exit_code == 0, result.output
    assert "4 new, 0 changed, 0 unchanged" in result.stdout
    assert _q(wh, "select count(*) from stg_imported_items") == [(4,)]
    missing_salt = _cli(wh, "import", str(notes), *ARGS)  # an author column needs the salt
    assert missing_salt.exit_code == 1 and "no pseudonym salt" in missing_salt.stderr


def _bad_files(tmp: Path, config: Path) -> dict[str, tuple[Path, list[str]]]:
    wb = openpyxl.Workbook()
    wb.active.title = "Noter"
    wb.save(tmp / "sheets.xlsx")
    (tmp / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp / "latin.csv").write_bytes("Nr;Dato;Navn;Note\n9;;;Grøn park ved åen\n".encode("latin-1"))
    (tmp / "quote.csv").write_text('Nr;Dato;Navn;Note\n9;;;"Grøn park\n', encoding="utf-8")
    (tmp / "empty.csv").write_text("", encoding="utf-8")
    (tmp / "header.csv").write_text("Nr;Dato;Navn;Note\n", encoding="utf-8")
    bad_date = _csv(tmp / "date.csv", [("9", "12-05-2014", "", "Lav en park"), ("10", "maj 2014", "", "Lys")])
    dupes = _csv(tmp / "dupes.csv", [("9", "", "", "Lav en park"), ("9", "", "", "Lys på stien")])
    fine = _csv(tmp / "fine.csv", [("9", "", "", "Lav en helt ny park")])
    (tmp / "commas.csv").write_text("Nr,Dato,Navn,Note\n9;;;Lav en park\n10;;;Mere lys\n", encoding="utf-8")
    no_text = _csv(tmp / "notext.csv", [("9", "", "", ""), ("10", "", "", "")])
    phone_ids = _csv(tmp / "phones.csv", [("+45 20 30 40 00", "", "", "Lav en park")])
    later = _csv(tmp / "moede2.csv", [("1", "", "", "Lav en skov"), ("2", "", "", "Mere lys")])
    no_author = [a for a in ARGS if a not in ("--author-column", "Navn")]
    return {
        "file missing": (tmp / "nowhere.csv", ARGS),
        "not UTF-8": (tmp / "latin.csv", ARGS),
        "malformed CSV": (tmp / "quote.csv", ARGS),
        "missing column": (fine, [*ARGS[:4], "--text-column", "Tekst", *ARGS[6:]]),
        "empty file": (tmp / "empty.csv", ARGS),
        "no rows": (tmp / "header.csv", ARGS),
        "unreadable XLSX": (tmp / "broken.xlsx", ARGS),
        "unknown sheet": (tmp / "sheets.xlsx", [*ARGS, "--sheet", "Ark2"]),
        "bad date": (bad_date, ARGS),
        "duplicate ids": (dupes, ARGS),
        "bad channel": (fine, [*ARGS[:2], "--channel", "Borger møde", *ARGS[4:]]),
        "facebook channel": (fine, [*ARGS[:2], "--channel", "facebook", *ARGS[4:]]),
        "bad consultation": (fine, ["--consultation", "Motorvej 2", *ARGS[2:]]),
        "id in another consultation": (_csv(tmp / "other.csv", [("1", "", "", "Lav en park")]),
                                       ["--consultation", "udviklingsstrategi", *ARGS[2:], "--config", str(config)]),
        "unknown consultation": (fine, ["--consultation", "motorvej", *ARGS[2:]]),
        "not in the config": (fine, ["--consultation", "motorvej", *ARGS[2:], "--config", str(config)]),
        "comma header, semicolon rows": (tmp / "commas.csv", no_author),
        "no text": (no_text, no_author),
        "phone number ids": (phone_ids, no_author),
        "id column is the author column": (fine, [*no_author, "--author-column", "Nr"]),
        "a second file's ids": (later, no_author),
    }


EXPECTED = {
    "file missing": "nowhere.csv not found", "not UTF-8": "latin.csv is not UTF-8",
    "malformed CSV": "quote.csv is not a valid CSV", "missing column": "the columns are 'Nr', 'Dato', 'Navn', 'Note'",
    "empty file": "empty.csv is empty", "no rows": "header.csv has a header but no rows",
    "unreadable XLSX": "broken.xlsx cannot be read as an .xlsx workbook", "unknown sheet": "the sheets are 'Noter'",
    "bad date": "row 3, column 'Dato': cannot read the date:", "duplicate ids": "rows 2 and 3 have the same id",
    "bad channel": "bad channel name 'Borger møde'", "facebook channel": "the channel facebook is the Graph API's",
    "bad consultation": "bad consultation 'Motorvej 2'",
    "id in another consultation": f"already has 1 of these ids in consultation {SLUG}",
    "unknown consultation": f"unknown consultation motorvej: the warehouse knows these consultations: {SLUG}; give "
                            "--config consultations.toml",
    "not in the config": "unknown consultation motorvej: consultations.toml has these consultations: "
                         f"udviklingsstrategi, {SLUG}",
    "comma header, semicolon rows": "no row of commas.csv has text in column 'Note': check --text-column and the "
                                    "delimiter",
    "no text": "no row of notext.csv has text in column 'Note'",
    "phone number ids": "row 2, column 'Nr': not an id",
    "id column is the author column": "the column 'Nr' cannot be both the id and the author column",
    "a second file's ids": "2 ids of moede2.csv are already items of channel borgermoede from moede.csv",
}
# cells of the bad files that may be personal data: no error message echoes a cell
CELLS = ["maj 2014", "+45 20 30 40 00", "Lav en", "Mere lys", *AUTHORS]


@pytest.mark.parametrize("case", list(EXPECTED))
def test_a_bad_import_is_one_line_and_stores_nothing(world, sample_dir: Path, case: str) -> None:
    wh, _, tmp = world
    assert _cli(wh, "import", str(_csv(tmp / "moede.csv", NOTES)), *ARGS).exit_code == 0
    before = _q(wh, "select * from stg_imported_items order by all")
    path, args = _bad_files(tmp, sample_dir / "consultations.toml")[case]
    result = _cli(wh, "import", str(path), *args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("civic-ideas: error: ") and EXPECTED[case] in lines[0], lines
    assert "unexpected error" not in lines[0]
    assert not any(cell in lines[0] for cell in CELLS), lines[0]
    assert _q(wh, "select * from stg_imported_items order by all") == before


@pytest.mark.slow
def test_installed_cli_import_then_analyse_and_export(world, sample_dir: Path) -> None:
    """The wiring users run: `import`, then `analyse` and `export` (real Prefect flow runs) pick the channel up."""
    from test_cli_e2e import cli

    wh, _, tmp = world
    (tmp / "salt").write_text(SALT, encoding="utf-8")  # the CLI's salt file (cli() points CIVIC_IDEAS_SALT_FILE here)
    notes = _csv(tmp / "moede.csv", NOTES)
    imported = cli(tmp, "import", str(notes), *ARGS)
    assert imported.returncode == 0, imported.stderr
    assert "4 new" in imported.stdout
    config = ["--config", str(sample_dir / "consultations.toml"), "--consultation", SLUG]
    for stage in ("analyse", "export"):
        result = cli(tmp, stage, *config)
        assert result.returncode == 0, result.stderr
    ideas = pd.read_csv(tmp / "exports" / SLUG / "ideas.csv", dtype=str)
    mine = ideas[ideas["channel"] == "borgermoede"]
    assert set(mine["idea_id"]) == {"borgermoede:1", "borgermoede:3", "borgermoede:4"}
    assert mine["topic_id"].notna().all()
    assert _q(wh, "select n_ideas from core_runs where flow_name = 'civic-ideas-run' and n_ideas is not null "
                  "order by started_at limit 1")[0][0] == len(ideas)


def _wide_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = [";".join(header)] + [";".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_the_authors_name_in_an_e_mails_signature_reaches_no_export(world) -> None:
    wh, consultation, tmp = world
    mails = _wide_csv(tmp / "mails.csv", ["Fra", "Tekst"], [
        ["Gudrun Fjeldsøe", "Lav en stor park med træer oven på motorvejen.\nMvh Gudrun Fjeldsøe"],
        ["halvdan.skovgaard@example.com", "Byg en cykelsti over overdækningen, med lys.\nHilsen Halvdan Skovgaard"],
    ])
    columns = ImportColumns(text="Tekst", author="Fra")
    assert import_file(wh, mails, consultation=SLUG, channel="email", columns=columns)["new"] == 2
    _analyse(wh, consultation, tmp / "exports")
    texts = dict(_q(wh, "select idea_id, text from ideas where channel = 'email'"))
    assert len(texts) == 2 and all(t.endswith(("Mvh [navn]", "Hilsen [navn] [navn]")) for t in texts.values())
    names = ["Gudrun", "Fjeldsøe", "Halvdan", "Skovgaard"]
    for where, text in [t for p in (tmp / "exports").rglob("*") if p.is_file() for t in file_texts(p)]:
        assert not any(n in text for n in names), where
    for table, column, text in duckdb_columns(wh):
        assert not any(n.casefold() in text.casefold() for n in names), f"{table}.{column}"


def test_a_second_meeting_needs_its_own_channel_and_identical_rows_of_two_files_stay_two(world) -> None:
    wh, _, tmp = world
    first = _csv(tmp / "moede1.csv", [("1", "", "", "Flere træer"), ("2", "", "", "Mere lys"), ("3", "", "", "Bænke")])
    second = _csv(tmp / "moede2.csv", [("1", "", "", "Flere træer"), ("2", "", "", "En sø")])
    numbered = ImportColumns(text="Note", item_id="Nr")
    assert import_file(wh, first, consultation=SLUG, channel="borgermoede", columns=numbered)["new"] == 3
    with pytest.raises(load.WarehouseError, match="import it under the name it was first imported with"):
        import_file(wh, second, consultation=SLUG, channel="borgermoede", columns=numbered)
    assert _q(wh, "select item_id, text from stg_imported_items order by item_id") == \
        [("1", "Flere træer"), ("2", "Mere lys"), ("3", "Bænke")]
    assert import_file(wh, second, consultation=SLUG, channel="borgermoede-2", columns=numbered)["new"] == 2

    plain = ImportColumns(text="Note")  # no ids: "Flere træer" of two meetings are two citizens' items
    assert import_file(wh, first, consultation=SLUG, channel="noter", columns=plain)["new"] == 3
    assert import_file(wh, second, consultation=SLUG, channel="noter", columns=plain)["new"] == 2
    again = import_file(wh, second, consultation=SLUG, channel="noter", columns=plain)
    assert (again["new"], again["unchanged"]) == (0, 2)
    assert _q(wh, "select count(*) from stg_imported_items where channel = 'noter' and text = 'Flere træer'") \
        == [(2,)]


def test_a_forgotten_author_stays_out_of_a_reimport_without_the_author_column(world) -> None:
    wh, _, tmp = world
    notes = _csv(tmp / "moede.csv", NOTES)
    import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=COLUMNS)
    assert _cli(wh, "forget", "--imported-author", AUTHORS[1]).exit_code == 0
    again = import_file(wh, notes, consultation=SLUG, channel="borgermoede",
                        columns=ImportColumns(text="Note", item_id="Nr", date="Dato"))
    assert again["erased"] == 2 and again["new"] == 0
    assert {r[0] for r in _q(wh, "select item_id from stg_imported_items")} == {"1", "3"}


def test_erasing_an_item_keeps_the_same_id_of_another_consultation(world, sample_dir: Path) -> None:
    wh, _, tmp = world
    mail = _csv(tmp / "mail.csv", [("1", "", "", "Lav en park ved åen")])
    numbered = ImportColumns(text="Note", item_id="Nr")
    import_file(wh, mail, consultation=SLUG, channel="email", columns=numbered)
    assert _cli(wh, "forget", "--comment-id", "email:1").exit_code == 0
    other = _csv(tmp / "mail-b.csv", [("1", "", "", "Flere cykelstier i midtbyen")])
    counts = import_file(wh, other, consultation="udviklingsstrategi", channel="email", columns=numbered,
                         config=sample_dir / "consultations.toml")
    assert (counts["new"], counts["erased"]) == (1, 0)  # another citizen's item, not the erased one
    assert import_file(wh, mail, consultation=SLUG, channel="email", columns=numbered)["erased"] == 1
    assert _q(wh, "select consultation, text from stg_imported_items") == \
        [("udviklingsstrategi", "Flere cykelstier i midtbyen")]


IDEAS = ["Lav en park med træer ved åen", "Byg en cykelsti langs søen", "Flere bænke i parken ved åen",
         "Lav en legeplads i parken", "Byg en ny cykelsti til skolen", "Plant flere træer langs stien",
         "Lav en hundeskov i byen", "Byg en skaterbane ved hallen", "Mere lys på cykelstien om vinteren",
         "Lav en badebro ved søen"]


def test_ideas_without_an_author_each_count_as_one_citizen(tmp_path: Path, sample_dir: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    config = sample_dir / "consultations.toml"
    consultation = next(c for c in load_consultations(config).consultations if c.slug == SLUG)
    notes = _csv(tmp_path / "moede.csv", [(str(n), "", "", t) for n, t in enumerate(IDEAS, start=1)])
    import_file(wh, notes, consultation=SLUG, channel="borgermoede", columns=ImportColumns(text="Note"),
                config=config)
    _analyse(wh, consultation, tmp_path / "exports")
    n_ideas = _q(wh, "select count(*) from ideas")[0][0]
    assert n_ideas >= 8
    assert _q(wh, "select sum(n_ideas), sum(n_authors) from topics") == [(n_ideas, n_ideas)]
    folder = tmp_path / "exports" / SLUG
    polis = pd.read_csv(folder / "polis" / "comments.csv")
    assert polis["author-id"].nunique() == n_ideas
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "0 borgere" not in report and "Ingen kommentarer endnu" not in report
    assert f'<dd id="n-all-ideas">{n_ideas}</dd>' in report and f'<dd id="n-authors">{n_ideas}</dd>' in report
