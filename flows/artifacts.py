"""Prefect artifacts for an export: a table with the topic summary, a markdown list of the files written, and the
dialogue's counts (questions and complaints answered or not, hours to the first staff reply) in markdown.

Artifacts are a convenience in the Prefect UI: outside a flow or task run, or when the API refuses them, nothing is
created and the export still succeeds. They are kept in Prefect's database, outside the reach of `forget`, so they hold
no idea text, and the topic labels and keywords they show are redacted once more (a label a planner typed, or one
stored by an older version, may hold a name).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext, TaskRunContext

from transforms.redact import redact
from warehouse.dialogue import summarise, summary_markdown
from warehouse.presentation import change_text

log = logging.getLogger(__name__)

_DESCRIPTIONS = {
    "report.html": "rapporten (åbn i en browser)",
    ".xlsx": "regneark med arkene Emner og Idéer",
    "topics.csv": "emner (CSV)",
    "topics.parquet": "emner (Parquet)",
    "ideas.csv": "idéer (CSV)",
    "ideas.parquet": "idéer (Parquet)",
    "comments.csv": "idéerne i Pol.is-format",
    "README.md": "forklaring af filer og kolonner",
    "dialog.csv": "spørgsmål og klager, besvaret eller ej (CSV)",
    "dialog.xlsx": "spørgsmål og klager, besvaret eller ej (regneark)",
    "topic_channels.csv": "idéer og borgere pr. emne og kanal",
}


def artifact_key(prefix: str, consultation: str) -> str:
    """A valid artifact key (lower-case letters, digits and dashes) for a consultation."""
    slug = re.sub(r"[^a-z0-9]+", "-", consultation.lower()).strip("-") or "konsultation"
    return f"{prefix}-{slug}"


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def topic_rows(topics: pd.DataFrame) -> list[dict[str, Any]]:
    """The topic summary as table rows with Danish headers (what planners see in the Prefect UI), redacted."""
    return [
        {
            "Emne": redact(str(t.label)),
            "Idéer": int(t.n_ideas),
            "Borgere": int(t.n_authors),
            "Likes": int(t.total_likes),
            "Ændring siden sidste kørsel": change_text(t.status, _plain(t.n_ideas_previous), int(t.n_ideas)),
            "Nøgleord": redact(str(t.keywords)),
        }
        for t in topics.itertuples(index=False)
    ]


def paths_markdown(consultation: str, paths: Sequence[str | Path]) -> str:
    """A markdown list of the export files, each with what it is."""
    lines = [f"# Eksport: {consultation}", ""]
    for path in paths:
        name = Path(path).name
        what = next((d for suffix, d in _DESCRIPTIONS.items() if name.endswith(suffix)), "")
        lines.append(f"- `{Path(path).resolve()}`" + (f": {what}" if what else ""))
    return "\n".join(lines) + "\n"


def _in_run() -> bool:
    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def _read_topics(paths: Sequence[str | Path]) -> pd.DataFrame:
    parquet = next(Path(p) for p in paths if Path(p).name == "topics.parquet")
    return pd.read_parquet(parquet)


def dialogue_markdown(consultation: str, paths: Sequence[str | Path]) -> str | None:
    """The dialogue's counts as markdown, from the `dialog.csv` among `paths` (None when there is none); counts and
    hours only, no comment text."""
    found = [Path(p) for p in paths if Path(p).name == "dialog.csv"]
    if not found:
        return None
    dialog = pd.read_csv(found[0], usecols=["kind", "answered", "hours_to_first_reply"])
    dialog["answered"] = dialog["answered"].astype(str).str.lower().eq("true")
    return f"# Spørgsmål og klager: {consultation}\n\n{summary_markdown(summarise(dialog))}"


def publish_export(consultation: str, paths: Sequence[str | Path], topics: pd.DataFrame | None = None) -> bool:
    """Create the topic table, the export-paths and the dialogue artifacts of one consultation; True when they were
    created.

    `topics` is the topics export table; by default it is read from the `topics.parquet` among `paths`.
    """
    if not _in_run():
        log.debug("not in a Prefect run: no artifacts for %s", consultation)
        return False
    try:
        table = topic_rows(topics if topics is not None else _read_topics(paths))
        create_table_artifact(table=table, key=artifact_key("emner", consultation),
                              description=f"Emner i {consultation} (seneste kørsel)")
        create_markdown_artifact(markdown=paths_markdown(consultation, paths),
                                 key=artifact_key("eksport", consultation),
                                 description=f"Eksportfiler for {consultation}")
        dialog = dialogue_markdown(consultation, paths)
        if dialog is not None:
            create_markdown_artifact(markdown=dialog, key=artifact_key("dialog", consultation),
                                     description=f"Spørgsmål og klager i {consultation}: besvaret eller ej")
    except Exception as exc:  # an artifact must never fail the export it describes
        log.warning("could not create Prefect artifacts for %s: %s", consultation, exc)
        return False
    return True
