"""Scheduled operation on a real Prefect server and worker, exactly as docs/scheduling.md tells an operator to do it.

Starts `prefect server start` on a free loopback port with a temporary PREFECT_HOME, runs `make prefect-setup`'s
command, `prefect --no-prompt deploy --all` and `prefect worker start`, triggers deployments and checks what the runs
wrote. Every process started here is stopped by its PID (process group) at the end, whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sources.standin import GraphStandIn, load_dataset
from warehouse import db

# Every wait below is bounded; the module's own timeout leaves room for a loaded 2-core CI machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SAMPLE = REPO / "data" / "sample"
SLUGS = ("motorvejsoverdaekning", "udviklingsstrategi")
RUN_TIMEOUT = 120.0  # one flow run, worst case on a loaded 2-core CI machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process group we started: SIGTERM twice (a worker ignores the first), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    # children of the group (e.g. a flow run the worker started) may outlive the leader
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@dataclass
class Stack:
    """A running server and worker, and what a test needs to talk to them."""

    api_url: str
    env: dict[str, str]
    tmp: Path
    logs: Path

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call to the Prefect REST API (the test's own client; PREFECT_API_URL stays out of os.environ).

        Retries briefly on 503/429, as Prefect's own client does: a busy SQLite database answers 503.
        """
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(8):
            request = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                if exc.code not in (429, 503) or attempt == 7:
                    raise
            time.sleep(0.25 * 2**attempt)
        raise AssertionError("unreachable")

    def deployment(self, name: str) -> dict[str, Any]:
        return self.api("GET", f"/deployments/name/{name}")

    def trigger(self, name: str, job_env: dict[str, str] | None = None, **parameters: Any) -> str:
        """Create a flow run of a deployment now (what `prefect deployment run` does); returns its id."""
        dep = self.deployment(name)
        body: dict[str, Any] = {"parameters": parameters, "idempotency_key": uuid.uuid4().hex}
        if job_env:
            body["job_variables"] = {"env": job_env}
        return self.api("POST", f"/deployments/{dep['id']}/create_flow_run", body)["id"]

    def wait(self, *run_ids: str, timeout: float = RUN_TIMEOUT,
             idle: Callable[[float], None] = time.sleep) -> dict[str, dict[str, Any]]:
        """Poll until every flow run is final, calling `idle(1)` between polls; fail with the logs after `timeout`."""
        deadline = time.monotonic() + timeout
        runs: dict[str, dict[str, Any]] = {}
        while time.monotonic() < deadline:
            runs = {rid: self.api("GET", f"/flow_runs/{rid}") for rid in run_ids}
            if all(r["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for r in runs.values()):
                return runs
            idle(1.0)
        states = {rid: r["state"]["name"] for rid, r in runs.items()}
        worker_log = _tail(self.logs / "worker.log")
        pytest.fail(f"flow runs not final after {timeout:.0f} s: {states}\nworker log:\n{worker_log}")


def _env(tmp: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(tmp / "prefect-home"),
        PREFECT_API_URL=api_url,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        PREFECT_CLI_PROMPT="false",
        # a run that finds its deployment busy retries after this long (default 30 s)
        PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS="1",
        CIVIC_IDEAS_SALT_FILE=str(tmp / "salt"),
    )
    return env


def _die_with_parent() -> None:
    """In the child: get SIGKILL if pytest itself is killed, so not even a killed CI job leaves a server behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def _start(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a background process in its own process group, its output in `log`."""
    with open(log, "wb") as out:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_die_with_parent)


def _wait_healthy(api_url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"prefect server exited with {server.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"prefect server not healthy after {timeout:.0f} s:\n{_tail(log)}")


def _run(command: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Server, pool, blocks, deployments and worker, as docs/scheduling.md sets them up."""
    tmp = tmp_path_factory.mktemp("schedule")
    logs = tmp / "logs"
    logs.mkdir()
    port = str(_free_port())
    api_url = f"http://127.0.0.1:{port}/api"
    env = _env(tmp, api_url)
    started: list[subprocess.Popen[bytes]] = []
    try:
        server = _start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port, "--no-ui"],
                        env, logs / "server.log", tmp)
        started.append(server)
        _wait_healthy(api_url, server, logs / "server.log")
        _run([sys.executable, "-m", "flows.prefect_setup"], env)
        # The worker starts far from the checkout: the deployments' pull step must bring the runs there.
        # It needs only the pool, so it starts while the deployments are made.
        started.append(_start([str(BIN / "prefect"), "worker", "start", "--pool", "civic-ideas"],
                              env, logs / "worker.log", tmp))
        _run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env)
        yield Stack(api_url, env, tmp, logs)
    finally:
        for proc in reversed(started):
            _stop(proc)


def _rows(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _n_sample_comments() -> int:
    return len(json.loads((SAMPLE / "facebook.json").read_text(encoding="utf-8"))["comments"])


def test_setup_creates_the_pool_and_the_salt_block(stack: Stack) -> None:
    pool = stack.api("GET", "/work_pools/civic-ideas")
    assert pool["type"] == "process"
    names = {b["name"] for b in stack.api("POST", "/block_documents/filter", {})}
    assert "civic-ideas-salt" in names
    assert "facebook-access-token" not in names  # no token in the environment: skipped, not an empty secret


def test_deployments_have_schedules_limits_and_the_checkout_as_working_directory(stack: Stack) -> None:
    expected = {"civic-ideas-run/ingest": "5 * * * *", "civic-ideas-run/analyse-export": "30 3 * * *",
                "civic-ideas-demo/demo": None}
    for name, cron in expected.items():
        dep = stack.deployment(name)
        crons = [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in dep["schedules"]]
        assert crons == ([(cron, "Europe/Copenhagen")] if cron else []), name
        assert dep["global_concurrency_limit"]["limit"] == 1, name
        assert dep["concurrency_options"]["collision_strategy"] == "ENQUEUE", name
        assert dep["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
        ], name
        assert dep["work_pool_name"] == "civic-ideas", name
    assert stack.deployment("civic-ideas-run/ingest")["parameters"]["config_path"] == "consultations.toml"


class Analyst:
    """Queries a warehouse the way `civic-ideas sql` does (read-only, bounded wait) while runs write it."""

    QUERY = ("select (select count(*) from comments), "
             "(select count(*) filter (where status = 'RUNNING') from runs)")

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.answers: list[tuple[int, int]] = []
        self.failures: list[str] = []

    def query_for(self, seconds: float) -> None:
        """Query every 0.1 s for `seconds`."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if self.warehouse.exists():
                try:
                    con = db.connect(self.warehouse, read_only=True, wait_seconds=30)
                    try:
                        self.answers.append(con.execute(self.QUERY).fetchone())
                    finally:
                        con.close()
                except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
                    self.failures.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.1)


@dataclass
class Triggered:
    """Flow runs triggered at once: on one fresh warehouse two of `demo` and one of `ingest` (against the Graph API
    stand-in), and elsewhere one `ingest` that must fail."""

    demo_warehouse: Path
    demo_ids: list[str]
    ingest_id: str
    failing_warehouse: Path
    missing_config: Path
    failing_id: str
    runs: dict[str, dict[str, Any]]
    analyst: Analyst


@pytest.fixture(scope="module")
def triggered(stack: Stack) -> Iterator[Triggered]:
    """Trigger all the runs the tests look at together, and query the shared warehouse all the while they run."""
    shared = stack.tmp / "shared"
    where = {"warehouse": str(shared / "wh.duckdb"), "export_dir": str(shared / "exports")}
    token = "tok-" + uuid.uuid4().hex
    with GraphStandIn(load_dataset(SAMPLE / "facebook.json"), tokens={token: "page"}) as standin:
        demo_ids = [stack.trigger("civic-ideas-demo/demo", **where) for _ in range(2)]
        # Another deployment on the same warehouse, as an hourly ingest meets the nightly analysis: only the
        # warehouse's writer lock keeps them apart. (A fake token in job variables is fine in a test, never in use.)
        ingest_id = stack.trigger("civic-ideas-run/ingest", config_path=str(SAMPLE / "consultations.toml"), **where,
                                  job_env={"FACEBOOK_GRAPH_URL": standin.url, "FACEBOOK_ACCESS_TOKEN": token})
        failing = stack.tmp / "failing"
        missing = failing / f"{uuid.uuid4().hex}.toml"
        failing_id = stack.trigger("civic-ideas-run/ingest", config_path=str(missing),
                                   warehouse=str(failing / "wh.duckdb"), export_dir=str(failing / "exports"))
        analyst = Analyst(shared / "wh.duckdb")
        runs = stack.wait(*demo_ids, ingest_id, failing_id, timeout=2.5 * RUN_TIMEOUT, idle=analyst.query_for)
    yield Triggered(shared / "wh.duckdb", demo_ids, ingest_id, failing / "wh.duckdb", missing, failing_id, runs,
                    analyst)


def _states(triggered: Triggered, *ids: str) -> list[dict[str, Any]]:
    return [triggered.runs[i]["state"] for i in ids]


def test_demo_and_ingest_deployment_runs_complete_and_write_rows_and_exports(triggered: Triggered) -> None:
    warehouse = triggered.demo_warehouse
    states = _states(triggered, *triggered.demo_ids, triggered.ingest_id)
    assert [s["type"] for s in states] == ["COMPLETED"] * 3, [s["message"] for s in states]
    n = _n_sample_comments()
    assert _rows(warehouse, "select count(*) from comments") == [(n,)]
    assert _rows(warehouse, "select count(*) > 0 from ideas where topic_id is not null") == [(True,)]
    for slug in SLUGS:
        folder = warehouse.parent / "exports" / slug
        for name in ("topics.csv", "topics.parquet", "ideas.csv", "ideas.parquet", f"{slug}.xlsx", "report.html"):
            assert (folder / name).stat().st_size > 0, folder / name
    assert (warehouse.parent / "wh-snapshot.duckdb").is_file()


def test_each_run_writes_a_runs_row_with_its_deployment_and_counts(triggered: Triggered, stack: Stack) -> None:
    rows = _rows(triggered.demo_warehouse, """select run_id, flow_name, deployment, parameters, status, duration_s,
                                                     n_comments_fetched from runs order by started_at""")
    assert sorted(r[2] for r in rows) == ["demo", "demo", "ingest"]
    for run_id, flow_name, deployment, parameters, status, duration, fetched in rows:
        assert (flow_name, status) == ("civic-ideas-run", "COMPLETED")
        assert duration > 0 and fetched == _n_sample_comments()
        if deployment == "ingest":
            assert run_id == triggered.ingest_id
            assert json.loads(parameters)["stages"] == ["ingest"]
        else:
            # the demo runs the pipeline as a subflow: the row carries the subflow's own Prefect flow run id
            subflow = stack.api("GET", f"/flow_runs/{run_id}")
            assert subflow["parent_task_run_id"] is not None and subflow["state"]["type"] == "COMPLETED"
            assert json.loads(parameters)["stages"] == ["ingest", "analyse", "export"]


def test_runs_triggered_at_once_write_one_after_the_other(triggered: Triggered) -> None:
    rows = _rows(triggered.demo_warehouse, """select started_at, finished_at, n_comments_changed, deployment
                                              from runs order by started_at""")
    for (_, end, _, _), (start, _, _, _) in zip(rows, rows[1:], strict=False):
        assert end <= start, f"two runs wrote at once: {rows}"
    # whichever run came first stored every comment; the others found nothing new
    assert sorted(r[2] for r in rows) == [0, 0, _n_sample_comments()]
    demo_windows = sorted((triggered.runs[i]["start_time"], triggered.runs[i]["end_time"]) for i in triggered.demo_ids)
    assert demo_windows[0][1] <= demo_windows[1][0], "the deployment's concurrency limit did not queue the runs"


def test_queries_while_the_runs_write_and_neither_fails(triggered: Triggered) -> None:
    assert triggered.analyst.failures == []
    during = [a for a in triggered.analyst.answers if a[1]]
    assert during, f"no query ran while a flow was writing ({len(triggered.analyst.answers)} queries)"
    states = _states(triggered, *triggered.demo_ids, triggered.ingest_id)
    assert [s["type"] for s in states] == ["COMPLETED"] * 3, [s["message"] for s in states]


def test_a_failed_run_says_why_in_its_row_and_in_prefect(triggered: Triggered) -> None:
    state = triggered.runs[triggered.failing_id]["state"]
    assert state["type"] == "FAILED"
    assert "not found" in state["message"] and triggered.missing_config.name in state["message"], state["message"]
    [(row_id, deployment, status, message)] = _rows(triggered.failing_warehouse,
                                                    "select run_id, deployment, status, message from runs")
    assert (row_id, deployment, status) == (triggered.failing_id, "ingest", "FAILED")
    assert message.startswith("ConfigError: ") and "not found" in message
