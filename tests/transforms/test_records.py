"""Staging records: the SQL path of `comments_table` gives exactly what the reference `comment_record` gives."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import records
from transforms.pseudonym import pseudonymise_comments
from transforms.records import COMMENT_SCHEMA, canonical_json, comments_table

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import synth  # noqa: E402

POST = "111_222"


@pytest.fixture(autouse=True)
def _sql_for_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests compare the SQL path with the reference, so tables of any size take it here."""
    monkeypatch.setattr(records, "SQL_FROM_ROWS", 1)


def _reference(comments: list[dict]) -> pa.Table:
    """`comment_record` one comment at a time, deduplicated by id (the last payload wins, at the first's place)."""
    rows: dict[str, dict] = {}
    for comment in comments:
        record = records.comment_record(comment, POST, "demo")
        rows[record["comment_id"]] = record
    return records.records_from_dicts(list(rows.values()))


EDGE_CASES = [
    {"id": "1", "message": "Bålplads ved søen 🔥", "created_time": "2024-05-02T09:01:00+0000",
     "from": {"author_key": "k1", "is_page": False}, "like_count": 3, "comment_count": 2},
    {"id": "2", "message": None, "created_time": "2024-05-02T09:02:00+0000", "attachment": None},
    {"id": "3", "message": "@Anne se her", "created_time": "2024-05-02T09:03:00+0000",
     "message_tags": [{"id": "k9", "type": "user", "offset": 0, "length": 5}, {"type": "user"}],
     "parent": {"id": "1"}, "is_hidden": True, "from": {"author_key": None, "is_page": True}},
    {"id": "4", "message": "", "created_time": "", "message_tags": [], "parent_id": "1", "like_count": None},
    {"id": "5", "message": "gammel form", "created_time": "2024-05-02T09:05:00+0000",
     "message_tags": {"0": [{"id": "k2", "offset": 0, "length": 3}]}, "parent": {"id": ""}, "parent_id": "3"},
    {"id": "6", "message": "tal som tekst", "created_time": "2024-05-02T09:06:00+0000", "like_count": "7",
     "comment_count": "0", "is_hidden": False, "attachment": {"type": "sticker"}},
    {"id": "1", "message": "Bålplads ved søen, rettet", "created_time": "2024-05-02T09:01:00+0000"},  # a repeat
    {"id": "7", "message": "linjeskift\nog \"citat\" og \\", "created_time": "2024-05-02T09:07:00+0000",
     "message_tags": [{"offset": 3, "length": 4}, {"offset": 10, "length": 1}]},
]


def test_the_sql_path_matches_the_reference_on_edge_cases() -> None:
    table = comments_table(EDGE_CASES, POST, "demo")
    assert table.schema == COMMENT_SCHEMA
    assert table.equals(_reference(EDGE_CASES))
    rows = {r["comment_id"]: r for r in table.to_pylist()}
    assert list(rows) == ["1", "2", "3", "4", "5", "6", "7"]  # deduplicated, first place kept
    assert rows["1"]["message"] == "Bålplads ved søen, rettet"  # the last payload wins
    assert rows["3"]["tag_spans"] == "[[0, 5]]" and rows["7"]["tag_spans"] == "[[3, 4], [10, 1]]"
    assert rows["5"]["tag_spans"] == "[]" and rows["5"]["parent_id"] == "3"
    assert rows["2"]["has_attachment"] and not rows["1"]["has_attachment"]
    assert rows["4"]["created_at"] is None and rows["4"]["like_count"] == 0
    assert rows["6"]["like_count"] == 7 and rows["3"]["is_page_reply"] and rows["3"]["is_hidden"]


def test_the_sql_path_is_taken_for_graph_api_payloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path must really run (a silent fallback would keep results right and lose the speed)."""
    def fail(*args: object) -> pa.Table:
        raise AssertionError("fell back to the Python path")

    monkeypatch.setattr(records, "_records_py", fail)
    assert comments_table(EDGE_CASES, POST, "demo").num_rows == 7


def test_small_tables_skip_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below SQL_FROM_ROWS rows the query's fixed cost is more than Python's: the reference builds the table."""
    monkeypatch.setattr(records, "SQL_FROM_ROWS", 100)
    monkeypatch.setattr(records, "_records_in_sql", lambda *a: pytest.fail("took the SQL path"))
    assert comments_table(EDGE_CASES, POST, "demo").equals(_reference(EDGE_CASES))


def test_a_time_sql_cannot_read_goes_to_the_reference() -> None:
    comments = [{"id": "1", "message": "x", "created_time": "2024-05-02T09:01:00Z"}]
    table = comments_table(comments, POST, "demo")
    assert table.equals(_reference(comments))
    assert table["created_at"][0].as_py().isoformat() == "2024-05-02T09:01:00+00:00"


def test_a_time_nobody_can_read_fails_as_before() -> None:
    with pytest.raises(ValueError):
        comments_table([{"id": "1", "created_time": "2. maj 2024"}], POST, "demo")


def test_synthetic_consultation_matches_the_reference() -> None:
    comments = pseudonymise_comments(synth.graph_comments(synth.consultation(2_000, 3)), b"s" * 32, synth.PAGE_ID)
    assert comments_table(comments, POST, "demo").equals(_reference(comments))


_text = st.one_of(st.none(), st.text(max_size=20))
_comment = st.fixed_dictionaries(
    {"id": st.text(alphabet="0123456789_", min_size=1, max_size=6)},
    optional={
        "message": _text,
        "created_time": st.one_of(st.just(""), st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+0000"))),
        "from": st.fixed_dictionaries({}, optional={"author_key": _text, "is_page": st.booleans()}),
        "like_count": st.one_of(st.none(), st.integers(0, 2**31 - 1)),
        "comment_count": st.integers(0, 1000),
        "is_hidden": st.one_of(st.none(), st.booleans()),
        "parent": st.fixed_dictionaries({"id": _text}),
        "parent_id": _text,
        "attachment": st.one_of(st.none(), st.just({"type": "photo"})),
        "message_tags": st.lists(st.fixed_dictionaries(
            {"offset": st.integers(0, 500), "length": st.integers(0, 50)}, optional={"id": st.text(max_size=4)}),
            max_size=3),
    },
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_comment, max_size=6))
def test_any_comment_gives_the_reference_rows(comments: list[dict]) -> None:
    assert comments_table(comments, POST, "demo").equals(_reference(comments))


@pytest.mark.parametrize("payload", [
    EDGE_CASES[2], {"b": 1, "a": {"d": [1, 2.5, None, True], "c": "æøå \u2028 \x01"}}, {"n": 2**70}, {1: "x"},
])
def test_canonical_json_is_sorted_compact_json(payload: dict) -> None:
    assert canonical_json(payload) == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_canonical_json_takes_a_lone_surrogate() -> None:
    payload = {"message": "\ud83d halv emoji"}
    assert canonical_json(payload) == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("tag", [{"offset": 0}, {"offset": 0, "length": None}, {"offset": None, "length": 4}])
def test_a_tag_span_sql_cannot_read_is_not_dropped_in_silence(tag: dict) -> None:
    """The reference refuses such a tag (its name could not be redacted); the SQL path must not turn it into []."""
    comments = [{"id": "1", "message": "Anne ja", "created_time": "2024-05-02T09:01:00+0000", "message_tags": [tag]}]
    with pytest.raises((KeyError, TypeError)):
        _reference(comments)
    with pytest.raises((KeyError, TypeError)):
        comments_table(comments, POST, "demo")
