"""The demo flow: the bundled sample consultation through the real extractor and the local Graph API stand-in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows.orchestration import flow
from flows.pipeline import run_flow
from flows.settings import ConfigError, ensure_salt_file, load_consultations, salt_file
from sources.standin import GraphStandIn, load_dataset

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def check_demo_warehouse(warehouse: str | Path) -> None:
    """Refuse a warehouse that holds consultations other than the demo's: the sample's topics must never mix into
    real data."""
    from warehouse import db, queries

    if not Path(warehouse).is_file():
        return
    demo = {c.slug for c in load_consultations(SAMPLE_DIR / "consultations.toml").consultations}
    with db.session(warehouse, read_only=True, wait_seconds=10) as con:
        other = sorted(set(queries.known_consultations(con)) - demo)
    if other:
        raise ConfigError(f"{warehouse} holds other data ({', '.join(other)}); the demo will not write into it: "
                          "give it its own file, e.g. civic-ideas --warehouse data/demo.duckdb --export-dir "
                          "exports-demo demo")


@flow(name="civic-ideas-demo")
def demo_flow(warehouse: str = "data/warehouse.duckdb", export_dir: str = "exports") -> dict[str, Any]:
    """Serve the bundled sample over HTTP on 127.0.0.1 and run the whole pipeline against it (into a warehouse that
    is new or holds only the demo's consultations)."""
    check_demo_warehouse(warehouse)
    token = "demo-" + secrets.token_hex(12)
    salt = os.environ.get("CIVIC_IDEAS_SALT") or ensure_salt_file(salt_file())
    dataset = load_dataset(SAMPLE_DIR / "facebook.json")
    with GraphStandIn(dataset, tokens={token: "page"}) as standin, _environment(
        FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=token, CIVIC_IDEAS_SALT=salt,
        CIVIC_IDEAS_SECRETS_FROM_ENV="1",
    ):
        counts = run_flow(
            config_path=str(SAMPLE_DIR / "consultations.toml"), warehouse=warehouse, export_dir=export_dir
        )
    return counts
