"""Imported items from cells to staging rows (pure): dates, ids, author keys, channel names."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from transforms.imports import (
    ImportDataError,
    as_comments,
    author_names,
    check_channel,
    import_items,
    imported_author_key,
    parse_date,
)
from transforms.redact import redact, redact_names
from transforms.select import select_ideas

SALT = b"import-test-salt"
UTC = dt.UTC


@pytest.mark.parametrize(("cell", "expected"), [
    ("2014-05-12", dt.datetime(2014, 5, 11, 22, 0, tzinfo=UTC)),  # local midnight (CEST, UTC+2)
    ("12-05-2014", dt.datetime(2014, 5, 11, 22, 0, tzinfo=UTC)),
    ("12.05.2014", dt.datetime(2014, 5, 11, 22, 0, tzinfo=UTC)),
    ("2.1.2015 18:30", dt.datetime(2015, 1, 2, 17, 30, tzinfo=UTC)),  # CET, UTC+1
    ("2014-05-12T18:30:00+00:00", dt.datetime(2014, 5, 12, 18, 30, tzinfo=UTC)),
    ("2014-05-12T18:30Z", dt.datetime(2014, 5, 12, 18, 30, tzinfo=UTC)),
    (dt.datetime(2014, 5, 12, 18, 30), dt.datetime(2014, 5, 12, 16, 30, tzinfo=UTC)),  # an Excel date cell
    (dt.date(2014, 5, 12), dt.datetime(2014, 5, 11, 22, 0, tzinfo=UTC)),
    ("", None),
    (None, None),
])
def test_dates_iso_and_danish_are_read_as_local_time(cell: object, expected: dt.datetime | None) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31-02-2014", "12/05/2014", "maj 2014", "12-05.2014", "2014-13-01"])
def test_an_unreadable_date_names_the_row_and_column(cell: str) -> None:
    cells = pd.DataFrame({"row": [2, 7], "Note": ["Lav en park", "Mere lys"], "Dato": ["2014-05-12", cell]},
                         dtype=object)
    with pytest.raises(ImportDataError, match=r"^row 7, column 'Dato': cannot read the date") as info:
        import_items(cells, consultation="c", text_column="Note", date_column="Dato")
    assert cell not in str(info.value)  # a cell is never echoed: a wrong column may hold personal data


@pytest.mark.parametrize("name", ["facebook", "Borgermøde", "borger møde", "1email", "e:mail", "", "x" * 33])
def test_bad_channel_names_are_refused(name: str) -> None:
    with pytest.raises(ImportDataError):
        check_channel(name)


@pytest.mark.parametrize("name", ["borgermoede", "email", "moede-2014", "e_mail"])
def test_slug_channel_names_are_accepted(name: str) -> None:
    assert check_channel(name) == name


def _cells(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"row": list(range(2, n + 2)), **columns}, dtype=object)


def test_content_ids_are_stable_and_identical_rows_stay_two_items() -> None:
    cells = _cells(Note=["Lav en park", "Mere lys", "Lav en park", "  "], Navn=["Mette", "Jens", "Mette", "Ib"])
    first, skipped = import_items(cells, consultation="c", text_column="Note", author_column="Navn", salt=SALT)
    again, _ = import_items(cells, consultation="c", text_column="Note", author_column="Navn", salt=SALT)
    assert skipped == 1 and first["item_id"].tolist() == again["item_id"].tolist()
    assert first["item_id"].is_unique and first["item_id"][2] == f"{first['item_id'][0]}-2"
    other, _ = import_items(cells, consultation="other", text_column="Note", author_column="Navn", salt=SALT)
    assert not set(other["item_id"]) & set(first["item_id"])  # the consultation is part of the id


def test_id_column_numbers_and_duplicates() -> None:
    items, _ = import_items(_cells(Nr=[17.0, 18, "2014/17", "A-3_b"], Note=["a", "b", "c", "d"]), consultation="c",
                            text_column="Note", id_column="Nr")
    assert items["item_id"].tolist() == ["17", "18", "2014/17", "A-3_b"]
    with pytest.raises(ImportDataError, match=r"^rows 2 and 4 have the same id in column 'Nr'") as info:
        import_items(_cells(Nr=["X1", "2", "X1"], Note=["a", "b", "c"]), consultation="c", text_column="Note",
                     id_column="Nr")
    assert "X1" not in str(info.value)
    with pytest.raises(ImportDataError, match="row 3 has no id"):
        import_items(_cells(Nr=["1", ""], Note=["a", "b"]), consultation="c", text_column="Note", id_column="Nr")


@pytest.mark.parametrize("cell", ["mette@example.com", "+45 20 30 40 00", "20304000", "Mette Hansen",
                                  "120514-1234", "x" * 41, "Nr. 3"])
def test_an_id_that_is_no_short_code_is_refused_without_echoing_it(cell: str) -> None:
    cells = _cells(Nr=["1", cell], Note=["a", "b"])
    with pytest.raises(ImportDataError, match=r"^row 3, column 'Nr': not an id .* use a row number or case number "
                                              "column") as info:
        import_items(cells, consultation="c", text_column="Note", id_column="Nr")
    assert cell not in str(info.value) and "20" not in str(info.value)


def test_the_author_column_cannot_be_the_id_column() -> None:
    with pytest.raises(ImportDataError, match="cannot be both the id and the author column"):
        import_items(_cells(Navn=["Mette"], Note=["a"]), consultation="c", text_column="Note", id_column="Navn",
                     author_column="Navn", salt=SALT)


@pytest.mark.parametrize(("author", "text", "expected"), [
    ("Mette Hansen", "Lav en park.\nMvh Mette Hansen", "Lav en park.\nMvh [navn]"),
    ("Mette Hansen", "mvh METTE, hansen-familien og Mettes hund", "mvh [navn], [navn]-familien og [navn] hund"),
    ("Bo Ørsted-Ås", "Flere stier. Hilsen Bo og familien Ørsted-Ås",
     "Flere stier. Hilsen [navn] og familien [navn]-[navn]"),
    ("mette.hansen@example.com", "Flere træer. Mette Hansen, mette.hansen@example.com",
     "Flere træer. [navn] [navn], [email]"),
    ("mh_bo-ib@example.com", "Mere lys til bo og ib", "Mere lys til bo og ib"),  # short pieces are words
    ("", "Mere lys, Mette", "Mere lys, [navn]"),  # no author cell, but a first name of the name list
])
def test_the_authors_name_is_taken_out_of_the_text(author: str, text: str, expected: str) -> None:
    items, _ = import_items(_cells(Navn=[author], Note=[text]), consultation="c", text_column="Note",
                            author_column="Navn", salt=SALT)
    ideas = select_ideas(as_comments(items.assign(consultation="c"), "email"), "email")
    assert items["text"].tolist() == [redact_names(text, author_names(author))]
    assert redact(items["text"][0]) == expected
    assert ideas.empty or ideas["text"].tolist() == [expected]


def test_content_ids_differ_between_files_and_stay_within_one() -> None:
    cells = _cells(Note=["Flere træer", "Flere træer"])
    first, _ = import_items(cells, consultation="c", text_column="Note", source="moede1.csv")
    again, _ = import_items(cells, consultation="c", text_column="Note", source="moede1.csv")
    other, _ = import_items(cells, consultation="c", text_column="Note", source="moede2.csv")
    assert first["item_id"].tolist() == again["item_id"].tolist()
    assert not set(first["item_id"]) & set(other["item_id"])


def test_the_author_cell_becomes_a_key_that_does_not_hold_it() -> None:
    items, _ = import_items(_cells(Note=["a", "b", "c"], Navn=["Mette Hansen", " mette  HANSEN", None]),
                            consultation="c", text_column="Note", author_column="Navn", salt=SALT)
    keys = items["author_key"].tolist()
    assert keys[0] == keys[1] and keys[2] is None and keys[0] == imported_author_key("Mette Hansen", SALT)
    assert "mette" not in keys[0].lower() and imported_author_key("Mette Hansen", b"other-salt") != keys[0]
    with pytest.raises(ImportDataError, match="salt"):
        import_items(_cells(Note=["a"], Navn=["x"]), consultation="c", text_column="Note", author_column="Navn")


def test_imported_items_are_judged_and_redacted_like_comments() -> None:
    items = pd.DataFrame({
        "consultation": "c", "item_id": ["1", "2"],
        "text": ["Lav en cykelsti langs åen, skriv til mette@example.com", "Tak for et godt møde"],
        "created_at": [pd.Timestamp("2014-05-12", tz="UTC")] * 2, "author_key": ["k1", None],
    })
    ideas = select_ideas(as_comments(items, "borgermoede"), "borgermoede")
    assert ideas["idea_id"].tolist() == ["borgermoede:1"]
    assert ideas["channel"].tolist() == ["borgermoede"] and "[email]" in ideas["text"][0]
    assert ideas["like_count"].tolist() == [0] and ideas["reply_count"].tolist() == [0]
