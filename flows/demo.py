"""The demo flow: the bundled sample consultation through the real extractor and the local Graph API stand-in."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flows import DEFAULT_WAREHOUSE
from flows.orchestration import flow
from flows.settings import ConfigError, ensure_salt_file, load_consultations, salt_file
from warehouse.store import Warehouse

# The pipeline, the stand-in and the warehouse are imported where they are used: `civic-ideas demo` checks the
# warehouse and says what it starts within a second.

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
# The citizens' meeting on the motorway cover, imported as a channel of its own beside Facebook (`civic-ideas import`).
MEETING = SAMPLE_DIR / "borgermoede-2014-05-12.csv"
MEETING_CONSULTATION, MEETING_CHANNEL = "motorvejsoverdaekning", "borgermoede-2014-05-12"

progress = logging.getLogger("civic_ideas.progress")


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


def check_demo_warehouse(warehouse: Warehouse | str | Path) -> None:
    """Refuse a warehouse that holds consultations other than the demo's: the sample's topics must never mix into
    real data."""
    from warehouse import queries

    warehouse = Warehouse.at(warehouse)
    if not warehouse.exists():
        return
    demo = {c.slug for c in load_consultations(SAMPLE_DIR / "consultations.toml").consultations}
    with warehouse.session(read_only=True, wait_seconds=10) as con:
        other = sorted(set(queries.known_consultations(con)) - demo)
    if other:
        raise ConfigError(f"{warehouse} holds other data ({', '.join(other)}); the demo will not write into it: "
                          "give it its own file, e.g. civic-ideas --warehouse data/demo.duckdb --export-dir "
                          "exports-demo demo")


def import_meeting(warehouse: Warehouse | str | Path) -> dict[str, int]:
    """Import the sample citizens' meeting notes as `civic-ideas import` does; again it changes nothing (the rows
    keep their ids). Needs the salt in the environment (the authors' initials are stored only as keyed hashes)."""
    from flows.imports import import_file
    from sources.files import ImportColumns

    progress.info("importing %s into %s as channel %s", MEETING.name, MEETING_CONSULTATION, MEETING_CHANNEL)
    columns = ImportColumns(text="note", item_id="nr", date="dato", author="initialer")
    return import_file(warehouse, MEETING, consultation=MEETING_CONSULTATION, channel=MEETING_CHANNEL,
                       columns=columns, config=SAMPLE_DIR / "consultations.toml")


@flow(name="civic-ideas-demo")
def demo_flow(warehouse: str = DEFAULT_WAREHOUSE, export_dir: str = "exports") -> dict[str, Any]:
    """Serve the bundled sample (Facebook posts and an Instagram media) over HTTP on 127.0.0.1, import the sample
    citizens' meeting's notes as a channel of the motorway consultation, and run the whole pipeline against them
    (into a warehouse that is new or holds only the demo's consultations). ``warehouse`` is a location string, as
    `run_flow`'s: a flow's parameters are JSON."""
    from flows.pipeline import run_flow
    from sources.standin import GraphStandIn, load_dataset
    from sources.standin.instagram import load_instagram

    store = Warehouse.at(warehouse)
    check_demo_warehouse(store)
    token = "demo-" + secrets.token_hex(12)
    salt = os.environ.get("CIVIC_IDEAS_SALT") or ensure_salt_file(salt_file())
    dataset = load_dataset(SAMPLE_DIR / "facebook.json")
    instagram = load_instagram(SAMPLE_DIR / "instagram.json")  # the motorway question's Instagram comments
    with GraphStandIn(dataset, tokens={token: "page"}, instagram=instagram) as standin, _environment(
        FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=token, CIVIC_IDEAS_SALT=salt,
        CIVIC_IDEAS_SECRETS_FROM_ENV="1",
    ):
        import_meeting(store)
        counts = run_flow(
            config_path=str(SAMPLE_DIR / "consultations.toml"), warehouse=store.location, export_dir=export_dir
        )
    return counts
