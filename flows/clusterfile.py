"""`cluster-file`: idea detection and topic clustering of any table of texts, without a warehouse.

The table is read as `civic-ideas import` reads it (`sources.files.read_import_table`: CSV with `,` `;` or tab,
with or without BOM, quoted line breaks, or an `.xlsx` sheet). Two files are written through `warehouse.csvsafe`:
one row per input row (id, is_idea, kind, topic_id, topic_label, the text), and `<stem>_topics.csv` beside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import pandas as pd

from flows.settings import resolve_backend
from sources.files import ImportColumns, InputFileError, read_import_table
from warehouse.csvsafe import write_csv

progress = logging.getLogger("civic_ideas.progress")  # stage lines the CLI shows on stderr

ROW_ID = "row"  # the id column's name without --id-column: the spreadsheet row number (the header is row 1)
TOPIC_SUMMARY_COLUMNS = ["topic_id", "topic_label", "keywords", "n_ideas"]


@dataclass
class ClusteredFile:
    """One row per item (`item_id, is_idea, kind, topic_id, topic_label, text`) and one row per topic."""

    items: pd.DataFrame
    topics: pd.DataFrame


def _cell(value: Any) -> str:
    """A cell as text: empty for an empty cell, 17 for an Excel number cell 17.0, anything else as given."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_items(path: str | Path, text_column: str, id_column: str | None = None,
               sheet: str | None = None) -> pd.DataFrame:
    """Read a .csv or .xlsx table into `item_id, text`; the id defaults to the spreadsheet row number."""
    path = Path(path)
    cells = read_import_table(path, ImportColumns(text=text_column, item_id=id_column), sheet=sheet)
    if id_column is None:
        ids = [str(int(r)) for r in cells["row"]]
    else:
        ids = [_cell(v).strip() for v in cells[id_column]]
        first: dict[str, int] = {}
        for row, item_id in zip(cells["row"], ids, strict=True):
            if not item_id:
                raise InputFileError(f"{path.name}: row {row} has no id in column {id_column!r}: fill it in, "
                                     "or leave out --id-column")
            if item_id in first:
                raise InputFileError(f"{path.name}: rows {first[item_id]} and {row} have the same id in column "
                                     f"{id_column!r}: choose a column with a unique value per row")
            first[item_id] = row
    return pd.DataFrame({"item_id": ids, "text": [_cell(v) for v in cells[text_column]]})


def detect_text_kinds(texts: list[str]) -> list[str]:
    """The kind of each text (``transforms.ideas.detect_kinds`` of the text alone, no Graph API context).

    Each distinct text is judged once; from ``transforms.ideas.PARALLEL_FROM`` distinct texts on, the first half of
    them in a second process (forked) while this one judges the second half: the same kinds, in about half the
    time on two cores."""
    from transforms.ideas import detect_kinds, in_processes

    def judge(chunk: list[str]) -> list[str]:
        frame = pd.DataFrame({"message": chunk, "is_page_reply": False, "is_reply": False, "tag_count": 0})
        return detect_kinds(frame)["kind"].tolist()

    distinct = list(dict.fromkeys(texts))
    kind_of = dict(zip(distinct, chain.from_iterable(in_processes(judge, distinct)), strict=True))
    return [kind_of[t] for t in texts]


def cluster_items(
    items: pd.DataFrame,
    *,
    language: str = "da",
    themes: list[dict[str, Any]] | None = None,
    backend: str | None = None,  # None: the default backend (flows.settings.resolve_backend)
    embeddings_model_path: str | None = None,
) -> ClusteredFile:
    """Given `item_id, text`, detect the ideas and cluster them; non-ideas get no topic."""
    # imported here: the first progress line comes once the file is read, not after scikit-learn has loaded
    from models.topics import analyse

    items = items.reset_index(drop=True)
    texts = items["text"].fillna("").astype(str)
    kinds = pd.Series(detect_text_kinds(texts.tolist()), index=texts.index)
    is_idea = (kinds == "idea").to_numpy(dtype=bool)
    out = pd.DataFrame({"item_id": items["item_id"].astype(str), "is_idea": is_idea, "kind": kinds})
    ideas = pd.DataFrame({"idea_id": out["item_id"][is_idea], "text": texts[is_idea], "author_key": None,
                          "like_count": 0}).reset_index(drop=True)
    if ideas.empty:
        topics = pd.DataFrame({c: pd.Series(dtype=object) for c in TOPIC_SUMMARY_COLUMNS})
        return ClusteredFile(out.assign(topic_id=pd.NA, topic_label=pd.NA, text=items["text"]), topics)
    backend = resolve_backend(backend)
    progress.info("clustering %s ideas (%s backend)", f"{len(ideas):,}", backend)
    run = analyse(ideas, None, language=language, themes=themes, backend=backend,
                  embeddings_model_path=embeddings_model_path)
    topics = run.topics.rename(columns={"label": "topic_label"})[TOPIC_SUMMARY_COLUMNS].sort_values("topic_id")
    labels = topics.set_index("topic_id")["topic_label"]
    placed = run.assignments[["idea_id", "topic_id"]].assign(topic_label=lambda f: f["topic_id"].map(labels))
    out = out.merge(placed, how="left", left_on="item_id", right_on="idea_id").drop(columns=["idea_id"])
    out["topic_id"] = out["topic_id"].astype("Int64")
    return ClusteredFile(out.assign(text=items["text"].to_numpy()), topics.reset_index(drop=True))


def topics_path(out_path: str | Path) -> Path:
    """The topic summary beside the output: `<out stem>_topics.csv`."""
    out_path = Path(out_path)
    return out_path.with_name(f"{out_path.stem}_topics.csv")


def write_clustered(result: ClusteredFile, out_path: str | Path, *, id_name: str, text_name: str) -> tuple[Path, Path]:
    """Write the items (id and text columns named as in the input) and the topic summary; return both paths."""
    out_path = Path(out_path)
    # the text keeps its input column's name, unless that name is taken by another output column
    taken = {id_name, "is_idea", "kind", "topic_id", "topic_label"}
    names = {"item_id": id_name, "text": next(n for n in (text_name, "text", "text_as_given") if n not in taken)}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    summary = topics_path(out_path)
    write_csv(result.items.rename(columns=names), out_path)  # formula-like cells get a leading '
    write_csv(result.topics, summary)
    return out_path, summary


def cluster_file(input_path: str | Path, out_path: str | Path, *, text_column: str, id_column: str | None = None,
                 sheet: str | None = None, **options: Any) -> tuple[ClusteredFile, Path, Path]:
    """Read, cluster and write; `options` go to :func:`cluster_items`. Returns the result and both paths written."""
    input_path, out_path = Path(input_path), Path(out_path)
    summary = topics_path(out_path)
    for written in (out_path, summary):
        if input_path.exists() and written.exists() and written.resolve() == input_path.resolve():
            raise InputFileError(f"{written} is the input file: give --out another name")
    items = read_items(input_path, text_column, id_column, sheet)
    progress.info("%s: %s rows read; detecting ideas", input_path.name, f"{len(items):,}")
    result = cluster_items(items, **options)
    progress.info("writing %s and %s", out_path, summary)
    out, summary = write_clustered(result, out_path, id_name=id_column or ROW_ID, text_name=text_column)
    return result, out, summary
