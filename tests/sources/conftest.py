"""Fixtures for the sources tests: a started stand-in and clients that never really sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphkit import Sleeper, make_dataset

from sources.graph import GraphClient
from sources.standin import DEFAULT_TOKEN, GraphStandIn
from sources.standin.faults import Scenario


@pytest.fixture(scope="session")
def dataset() -> Callable[..., dict[str, Any]]:
    """The dataset factory (`make_dataset`)."""
    return make_dataset


@pytest.fixture
def serve() -> Iterator[Callable[..., GraphStandIn]]:
    """Start stand-ins (stopped at teardown): `serve(dataset=None, tokens=None, scenario=None)`."""
    started: list[GraphStandIn] = []

    def start(data: dict[str, Any] | None = None, *, tokens: dict[str, str] | None = None,
              scenario: Scenario | None = None) -> GraphStandIn:
        standin = GraphStandIn(data or make_dataset(), tokens=tokens, scenario=scenario).start()
        started.append(standin)
        return standin

    yield start
    for standin in started:
        standin.stop()


@pytest.fixture
def client() -> Iterator[Callable[..., tuple[GraphClient, Sleeper]]]:
    """Clients for a stand-in whose sleeps advance its virtual clock: `client(standin, **kwargs)`."""
    made: list[GraphClient] = []

    def build(standin: GraphStandIn, token: str = DEFAULT_TOKEN, **kwargs: Any) -> tuple[GraphClient, Sleeper]:
        sleeper = Sleeper(standin.clock)
        kwargs.setdefault("timeout", 5.0)
        made.append(GraphClient(standin.url, "v25.0", token, sleep=sleeper, **kwargs))
        return made[-1], sleeper

    yield build
    for graph_client in made:
        graph_client.close()

