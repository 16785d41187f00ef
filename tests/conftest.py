"""Test-wide setup: Prefect runs against a temporary home, never the user's, and without telemetry."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="civic-ideas-prefect-"))
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("FACEBOOK_ACCESS_TOKEN", None)
os.environ.pop("CIVIC_IDEAS_SALT", None)

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "data" / "sample"


import pytest  # noqa: E402


@pytest.fixture()
def sample_dir() -> Path:
    """The bundled sample consultation."""
    return SAMPLE_DIR
