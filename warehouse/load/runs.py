"""Flow runs: when one started, how it ended and its counts (`core_runs`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_name: str, deployment: str | None,
              parameters: dict[str, Any], now: datetime) -> None:
    """Record that a flow run started."""
    con.execute(
        """insert into core_runs (run_id, flow_name, deployment, parameters, status, started_at)
           values ($id, $flow, $dep, $params::json, 'RUNNING', $now)
           on conflict (run_id) do update set status = 'RUNNING', started_at = excluded.started_at""",
        {"id": run_id, "flow": flow_name, "dep": deployment, "params": json.dumps(parameters), "now": now},
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, now: datetime,
               counts: dict[str, int] | None = None, message: str | None = None) -> None:
    """Record how a flow run ended, with its counts and, on failure, why."""
    counts = counts or {}
    con.execute(
        """update core_runs set status = $status, message = $message, finished_at = $now,
               n_comments_fetched = $fetched, n_comments_changed = $changed, n_ideas = $ideas, n_topics = $topics
           where run_id = $id""",
        {
            "id": run_id, "status": status, "message": message, "now": now,
            "fetched": counts.get("comments_fetched"), "changed": counts.get("comments_changed"),
            "ideas": counts.get("ideas"), "topics": counts.get("topics"),
        },
    )
