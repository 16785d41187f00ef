"""Issue 20: `ingest` as a process loads only what it uses (no pandas, scikit-learn, SciPy or Prefect), and the Arrow
tables it builds without `pa.array` (which imports pandas) hold exactly what `pa.array` would."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from sources.standin import GraphStandIn, load_dataset
from transforms.records import COMMENT_SCHEMA, arrow_column, arrow_table

TOKEN = "tok-perf-imports-1"
CEST = dt.timezone(dt.timedelta(hours=2))

# Run the CLI in this interpreter and report, at exit, which of the heavy packages it had loaded.
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(m for m in ("pandas", "sklearn", "scipy", "prefect")
                                                if m in sys.modules)), file=sys.stderr))
from flows.cli import main
sys.argv = ["civic-ideas", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(("type_", "values"), [
    (pa.string(), ["idé 💡", None, "", "=1+2", "a\x00b", "ø" * 5000]),
    (pa.bool_(), [True, False, None]),
    (pa.int32(), [0, -1, 2**31 - 1, None, 17]),
    (pa.timestamp("us", "UTC"), [dt.datetime(2014, 10, 7, 13, 40, tzinfo=dt.UTC),
                                 dt.datetime(2014, 10, 7, 13, 40, 0, 1, tzinfo=CEST),
                                 dt.datetime(2014, 10, 7, 13, 40, 59, 999999), None]),
])
def test_arrow_column_holds_what_pa_array_holds(type_: pa.DataType, values: list) -> None:
    built = arrow_column(values, type_)
    assert built.type == type_
    assert built.equals(pa.array(values, type_))


def test_arrow_column_refuses_what_arrow_cannot_hold() -> None:
    with pytest.raises(pa.ArrowInvalid):
        arrow_column([2**31], pa.int32())


def test_arrow_table_of_comment_rows_equals_pa_table() -> None:
    row = {"comment_id": "1_2", "post_id": "1", "consultation": "c", "parent_id": None, "author_key": "k" * 64,
           "is_page_reply": False, "message": "Lys på stien 🚲", "tag_spans": "[[0,3]]", "has_attachment": True,
           "created_at": dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC), "like_count": 3, "reaction_count": None,
           "reply_count": 0, "is_hidden": False, "permalink_url": None, "payload": "{}", "payload_hash": "h"}
    columns = {f.name: [row[f.name], None if f.name != "comment_id" else "1_3"] for f in COMMENT_SCHEMA}
    expected = pa.table({f.name: pa.array(columns[f.name], f.type) for f in COMMENT_SCHEMA}, schema=COMMENT_SCHEMA)
    assert arrow_table(columns, COMMENT_SCHEMA).equals(expected)
    assert arrow_table({f.name: [] for f in COMMENT_SCHEMA}, COMMENT_SCHEMA).num_rows == 0


@pytest.mark.slow
def test_ingest_loads_no_pandas_sklearn_scipy_or_prefect(tmp_path: Path, sample_dir: Path) -> None:
    """A consultation of Facebook posts (an Instagram channel's items are still built as pandas frames)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_", "PREFECT_API"))}
    with GraphStandIn(load_dataset(sample_dir / "facebook.json"), tokens={TOKEN: "page"}) as standin:
        env.update(FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN, CIVIC_IDEAS_SALT="s" * 32)
        done = subprocess.run([sys.executable, "-c", PROBE, "--warehouse", str(tmp_path / "wh.duckdb"), "ingest",
                               "--config", str(sample_dir / "consultations.toml"), "--consultation",
                               "udviklingsstrategi"],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    fetched = re.search(r"This run: (\d+) comments fetched, (\d+) new or changed", done.stdout)
    assert fetched and int(fetched[1]) == int(fetched[2]) > 100, done.stdout  # the consultation's posts were stored
    assert json.loads(done.stderr.splitlines()[-1]) == [], done.stderr[-2000:]
