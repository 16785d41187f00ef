"""Prefect when a Prefect API is there to record the runs; plain function calls when none is.

Prefect 3.9 has no documented way to run a flow in-process without an API: with no `PREFECT_API_URL`, `get_client`
starts a temporary server in a subprocess when `PREFECT_SERVER_EPHEMERAL_ENABLED` (alias
`PREFECT_SERVER_ALLOW_EPHEMERAL_MODE`, on in Prefect's default profile) allows it, and raises otherwise
(prefect/client/orchestration/__init__.py `get_client`, prefect/settings/models/server/ephemeral.py). That server
costs a command many seconds to start and stop, and `import prefect` seconds more, for runs nobody can see once the
command exits. So a flow and its tasks are Prefect's (`prefect.flow`, `prefect.task`) when an API is
configured or Prefect is loaded already (a worker's flow run, `prefect deploy`), and otherwise the same functions,
called directly, with the task's retries kept: Prefect's documented way to call a task's or flow's function without
Prefect is `.fn` (docs how-to-guides/workflows/test-workflows.mdx), which the plain functions carry too.

`CIVIC_IDEAS_PREFECT=on` asks for Prefect anyway (its temporary server when no API is configured); `off` never
uses it; `auto` (default) decides as above. The decision is made once per process, before the flows are defined.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flows.prefect_home import prefect_home

log = logging.getLogger(__name__)

_ON = ("on", "1", "true", "yes", "always")
_OFF = ("off", "0", "false", "no", "never")
_decided: bool | None = None


def _profile_api_url(environ: Mapping[str, str]) -> str | None:
    """PREFECT_API_URL of Prefect's active profile (`prefect config set PREFECT_API_URL=...` writes it there)."""
    path = Path(environ.get("PREFECT_PROFILES_PATH") or prefect_home(environ) / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    name = environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    profile = profiles.get("profiles", {}).get(name, {})
    return profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None


def _toml_api_url(folder: Path) -> str | None:
    """The API URL of a `prefect.toml` in the working directory (`[api] url = ...`), Prefect's project settings."""
    try:
        settings = tomllib.loads((folder / "prefect.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    api = settings.get("api", {})
    return api.get("url") if isinstance(api, dict) else None


def api_configured(environ: Mapping[str, str] = os.environ, cwd: Path | None = None) -> bool:
    """A Prefect API is configured: PREFECT_API_URL in the environment, the active profile or ./prefect.toml."""
    return bool(environ.get("PREFECT_API_URL") or _profile_api_url(environ) or _toml_api_url(cwd or Path.cwd()))


def wants_prefect(environ: Mapping[str, str] = os.environ, modules: Mapping[str, object] = sys.modules) -> bool:
    """Whether flows and tasks run through Prefect in this process (see the module's docstring)."""
    mode = environ.get("CIVIC_IDEAS_PREFECT", "auto").strip().lower()
    if mode in _ON:
        return True
    if mode in _OFF:
        return False
    return "prefect" in modules or api_configured(environ)


def use_prefect() -> bool:
    """`wants_prefect()`, decided once for the process (flows defined before and after must agree)."""
    global _decided
    if _decided is None:
        _decided = wants_prefect()
        log.debug("flows run %s", "through Prefect" if _decided else "as plain calls (no Prefect API configured)")
    return _decided


class _FailedState:
    """What a `retry_condition_fn` is given: `result()` raises the task's error, as a failed Prefect state does."""

    def __init__(self, exc: BaseException) -> None:
        self._exc = exc

    def result(self, raise_on_failure: bool = True) -> Any:
        raise self._exc


def _plain_task(fn: Callable[..., Any], retries: int = 0, retry_delay_seconds: float = 0,
                retry_condition_fn: Callable[[Any, Any, Any], bool] | None = None) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(retries + 1):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if attempt == retries or (retry_condition_fn and not retry_condition_fn(call, None, _FailedState(exc))):
                    raise
                log.warning("%s failed (%s: %s); retrying in %s s", fn.__name__, type(exc).__name__, exc,
                            retry_delay_seconds)
                time.sleep(retry_delay_seconds)
        raise AssertionError("unreachable")

    call.fn = fn  # type: ignore[attr-defined]  # as Prefect's Task.fn
    return call


def task(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """`prefect.task` (as `@task` or `@task(**options)`) when Prefect is used, else the function itself with the
    options' retries."""
    def decorate(fn: Callable[..., Any]) -> Any:
        if use_prefect():
            from prefect import task as prefect_task

            return prefect_task(**options)(fn)
        known = {k: options[k] for k in ("retries", "retry_delay_seconds", "retry_condition_fn") if k in options}
        return _plain_task(fn, **known)

    return decorate(fn) if fn is not None else decorate


def flow(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """`prefect.flow` (as `@flow` or `@flow(**options)`) when Prefect is used, else the function itself (with `.fn`,
    as Prefect's Flow)."""
    def decorate(fn: Callable[..., Any]) -> Any:
        if use_prefect():
            from prefect import flow as prefect_flow

            return prefect_flow(**options)(fn)
        fn.fn = fn  # type: ignore[attr-defined]
        return fn

    return decorate(fn) if fn is not None else decorate


def flow_run_id() -> str | None:
    """The current Prefect flow run's id; None outside one (and always without Prefect)."""
    if "prefect" not in sys.modules:
        return None
    from prefect.runtime import flow_run

    return flow_run.id


def deployment_name() -> str | None:
    """The current Prefect deployment's name; None outside one (and always without Prefect)."""
    if "prefect" not in sys.modules:
        return None
    from prefect.runtime import deployment

    return deployment.name
