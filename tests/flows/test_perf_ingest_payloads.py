"""The staging rows an ingest derives ahead share their payloads' buffers instead of holding a second copy of every
payload (`transforms.records.records_table` by SQL, from `SQL_FROM_ROWS` rows on)."""

from __future__ import annotations

import json

import pyarrow as pa

from transforms.records import SQL_FROM_ROWS, _records_py, payload_table, records_table


def _payloads(n: int) -> pa.Table:
    comments = [{"id": f"1_{i}", "message": f"idé {i} =cmd|' /C calc'!A0", "created_time": "2024-01-01T08:00:00+0000",
                 "from": {"author_key": "k"}, "message_tags": [{"id": "x", "offset": 0, "length": 3}]}
                for i in range(n)]
    return payload_table(comments, "1")


def test_staging_rows_share_the_payloads_buffers() -> None:
    payloads = _payloads(SQL_FROM_ROWS)
    rows = records_table(payloads, "test")
    assert rows.num_rows == SQL_FROM_ROWS and rows.column("payload").equals(payloads.column("payload"))
    text = payloads.column("payload").chunk(0).buffers()[2]
    assert rows.column("payload").chunk(0).buffers()[2].address == text.address  # no second copy of the text
    assert [json.loads(p)["id"] for p in rows.column("payload").to_pylist()] == rows.column("comment_id").to_pylist()


def test_shared_payloads_give_the_rows_of_the_reference_path() -> None:
    payloads = _payloads(SQL_FROM_ROWS + 7)
    rows = records_table(payloads, "test")
    reference = _records_py(payloads, "test")
    assert rows.schema == reference.schema and rows.equals(reference)
