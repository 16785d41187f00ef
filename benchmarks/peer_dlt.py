"""The ingest peer (issue 20): `civic-ideas ingest` beside a dlt pipeline, each a whole process, same stand-in.

dlt runs in a throwaway environment (``uv venv /tmp/civic-dlt`` + ``uv pip install "dlt[duckdb,parquet]"``, built
here once), never in the project's ``.venv``: this module imports dlt only inside the child mode ``--dlt``, so
``import benchmarks.peer_dlt`` needs no dlt.

The dlt pipeline is what its REST API source documents (``dlt.sources.rest_api.rest_api_source``): a bearer token,
the ``json_link`` paginator on ``paging.next``, ``data_selector`` ``data``, and a ``comments`` resource whose path
takes each post id from a parent resource (the consultation's post ids, as civic-ideas reads them from its config),
with the same fields, ``filter=stream`` (comments and their replies in one listing), order and page size (100) as
``sources.facebook.client.FacebookReader.fetch_comments`` asks for; ``primary_key`` ``id`` with the ``merge`` write
disposition, into DuckDB. Once with dlt's default load (INSERT statements) and once with
``loader_file_format="parquet"``.

Per size, the stand-in (``bench.py --serve``, a process of its own) serves a synthetic consultation
(``synth.consultation``). In the same run, each of four processes is timed start to exit, with its peak memory (the
process's ``ru_maxrss`` from ``wait4``): the bare ``requests`` loop (``bench.py --stage bare``), ``civic-ideas
ingest`` into a fresh warehouse, dlt with INSERT, dlt with Parquet (each into a fresh DuckDB file and pipelines
folder), after one uncounted round at the first size (the bytecode cache). Median of ``--repeat`` runs (3;
``--repeat-large`` for sizes of 100k and more, 1 by default).

Usage: ``.venv/bin/python benchmarks/peer_dlt.py --sizes 10k,100k`` → ``benchmarks/results/dlt.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER_ENV = Path("/tmp/civic-dlt")
PEER_PACKAGES = ["dlt[duckdb,parquet]"]
RESULTS = ROOT / "benchmarks" / "results" / "dlt.md"
TOKEN = "standin-page-token"  # bench.TOKEN, sources.standin.DEFAULT_TOKEN
VERSION = "v25.0"  # bench.VERSION
PAGE_LIMIT = 100  # sources.graph.MAX_LIMIT, the page size civic-ideas asks for
# sources.facebook.client.COMMENT_FIELDS, copied so that the child mode needs nothing from the project
COMMENT_FIELDS = (
    "id,message,created_time,from{id,name},like_count,comment_count,parent{id},is_hidden,message_tags,"
    "attachment,permalink_url,reactions.summary(total_count).limit(0)"
)
COLUMNS = ("ingest", "dlt_insert", "dlt_parquet", "bare")


# -- child mode: the dlt pipeline, run by the throwaway environment's Python ------------------------------------------
def run_dlt(url: str, posts_file: Path, fmt: str, work: Path) -> dict[str, Any]:
    """One dlt pipeline run: every comment of the posts in ``posts_file`` into ``work/dlt.duckdb``."""
    import dlt
    from dlt.sources.rest_api import rest_api_source

    post_ids = json.loads(posts_file.read_text(encoding="utf-8"))

    @dlt.resource(selected=False)
    def posts():
        yield [{"id": post_id} for post_id in post_ids]

    source = rest_api_source({
        "client": {
            "base_url": f"{url}/{VERSION}/",
            "auth": {"type": "bearer", "token": TOKEN},
            "paginator": {"type": "json_link", "next_url_path": "paging.next"},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            posts,
            {
                "name": "comments",
                "endpoint": {
                    "path": "{resources.posts.id}/comments",
                    # rest_api reads {...} in params as placeholders: the fields' braces doubled, as its error says
                    "params": {"fields": COMMENT_FIELDS.replace("{", "{{").replace("}", "}}"), "filter": "stream",
                               "order": "chronological", "summary": "true", "limit": PAGE_LIMIT},
                    "data_selector": "data",
                },
            },
        ],
    })
    pipeline = dlt.pipeline(pipeline_name="civic_dlt_peer", destination=dlt.destinations.duckdb(
        str(work / "dlt.duckdb")), dataset_name="facebook", pipelines_dir=str(work / "pipelines"))
    kwargs = {"loader_file_format": "parquet"} if fmt == "parquet" else {}
    info = pipeline.run(source, **kwargs)
    info.raise_on_failed_jobs()
    with pipeline.sql_client() as client:
        rows = client.execute_sql("select count(*) from comments")[0][0]
    return {"rows": int(rows)}


# -- parent mode: the project's venv -----------------------------------------------------------------------------------
def peer_environment() -> tuple[Path | None, str]:
    """The throwaway environment with dlt (built once with uv), or None and why not."""
    python = PEER_ENV / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import dlt, duckdb, pyarrow"],
                                          capture_output=True).returncode == 0:
        return python, ""
    uv = shutil.which("uv")
    if uv is None:
        return None, "uv is not installed (it builds the throwaway environment)"
    steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(PEER_ENV)],
             [uv, "pip", "install", "--quiet", "--python", str(python), *PEER_PACKAGES]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            return None, f"{' '.join(map(str, step[:3]))} failed: {done.stderr.strip()[:300]}"
    return python, ""


def whole_process(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, the process's own ``ru_maxrss``) of one process, start to exit; raises with
    the end of its output when it fails."""
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n"
                           f"{log.read_text(encoding='utf-8')[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def at_size(size: int, seed: int, repeat: int, python: Path, work: Path, warmup: bool = False,
            done_round: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Every column at one size, all against one stand-in; rounds interleave the four processes. With ``warmup``, a
    first round is not counted: it fills the bytecode cache (uv installs dlt without compiling it; ``e2e._env`` gives
    every process one cache), as on a user's machine after the first run. ``done_round`` gets the medians so far
    after each round (the report is rewritten, so a cut-short run keeps what it measured)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    import e2e
    import synth
    from bench import _post_ids

    post_ids = _post_ids(size, seed)
    posts_file = work / f"posts-{size}.json"
    posts_file.write_text(json.dumps(post_ids), encoding="utf-8")
    config = e2e._config(work / f"ingest-{size}.toml", synth.PAGE_ID, post_ids)
    bench_script = ROOT / "benchmarks" / "bench.py"
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COLUMNS}
    server = subprocess.Popen([sys.executable, str(bench_script), "--serve", "--size", str(size), "--seed",
                               str(seed)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = json.loads(server.stdout.readline())["url"]
        env = e2e._env(work, FACEBOOK_GRAPH_URL=url, FACEBOOK_ACCESS_TOKEN=TOKEN)
        for round_ in range(-1 if warmup else 0, repeat):
            scratch = work / f"{size}-{round_ + 1}"
            for name in COLUMNS:
                (scratch / name).mkdir(parents=True)
            commands = {
                "bare": [sys.executable, str(bench_script), "--stage", "bare", "--size", str(size), "--seed",
                         str(seed), "--url", url],
                "ingest": [*e2e.CLI, "--warehouse", str(scratch / "ingest" / "w.duckdb"), "ingest", "--config",
                           str(config)],
                "dlt_insert": [str(python), __file__, "--dlt", "--url", url, "--posts", str(posts_file),
                               "--format", "insert", "--work", str(scratch / "dlt_insert")],
                "dlt_parquet": [str(python), __file__, "--dlt", "--url", url, "--posts", str(posts_file),
                                "--format", "parquet", "--work", str(scratch / "dlt_parquet")],
            }
            for name in COLUMNS:
                print(f"peer_dlt: {size:,} comments, round {round_ + 1}/{repeat}: {name}", file=sys.stderr,
                      flush=True)
                measured = whole_process(commands[name], env, scratch / name / "log.txt")
                if round_ >= 0:
                    runs[name].append(measured)
            for name in ("dlt_insert", "dlt_parquet") if round_ >= 0 else ():
                rows = json.loads((scratch / name / "log.txt").read_text(encoding="utf-8").strip().splitlines()[-1])
                runs.setdefault(f"{name}_rows", []).append(rows["rows"])
            shutil.rmtree(scratch, ignore_errors=True)  # synthetic names, but none stay on disk
            if done_round is not None and round_ >= 0:
                done_round(_medians(runs, round_ + 1))
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    return _medians(runs, repeat)


def _medians(runs: dict[str, list[Any]], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"repeat": repeat, "runs": runs}
    for name in COLUMNS:
        out[name] = {"seconds": statistics.median(s for s, _ in runs[name]),
                     "peak_mb": statistics.median(m for _, m in runs[name])}
    return out


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        return int(text.rstrip("km")) * factor
    except ValueError:
        raise SystemExit(f"peer_dlt: not a size: {text!r} (e.g. 10k, 100k, 1M)") from None


def table(results: dict[int, dict[str, Any]], load: list[float], version: str) -> str:
    def cell(r: dict[str, Any], name: str) -> str:
        return f"{r[name]['seconds']:.1f} s ({r[name]['peak_mb']:.0f} MB)"

    lines = [
        "# civic-ideas ingest beside dlt, each a whole process",
        "",
        f"`benchmarks/peer_dlt.py` (dlt {version} in a throwaway environment, DuckDB destination). Wall seconds from "
        "start to exit (after one uncounted round that fills the bytecode cache), peak memory (the process's own "
        "max RSS) in brackets; the median of the runs stated per row, "
        "the four processes taking turns against the same Graph API stand-in (synthetic comments, loopback). dlt: "
        "REST API source, `json_link` paginator on `paging.next`, the same fields, `filter=stream` and page size "
        "(100) as civic-ideas, `merge` on `id`. civic-ideas does more per comment (pseudonymised authors, raw + "
        "staging + core tables with change detection, a snapshot); dlt stores names and ids in clear.",
        "",
        f"Load average (1 min) at start and end: {load[0]:.1f} and {load[1]:.1f} on {os.cpu_count()} cores; the "
        "machine was shared with other work, so compare the columns of one row, not rows across runs.",
        "",
        "| comments | runs | `civic-ideas ingest` | dlt → DuckDB (default INSERT load) | dlt → DuckDB through Parquet "
        "| bare `requests` loop |",
        "|---|---|---|---|---|---|",
    ]
    for size, r in results.items():
        lines.append(f"| {_label(size)} | {r['repeat']} | {cell(r, 'ingest')} | {cell(r, 'dlt_insert')} | "
                     f"{cell(r, 'dlt_parquet')} | {cell(r, 'bare')} |")
    lines.append("")
    for size, r in results.items():
        rows = sorted(set(r["runs"].get("dlt_insert_rows", []) + r["runs"].get("dlt_parquet_rows", [])))
        lines.append(f"- {_label(size)}: rows in dlt's `comments` table: {', '.join(f'{n:,}' for n in rows)}; "
                     "every run (seconds): " + "; ".join(
                         f"{name} " + ", ".join(f"{s:.1f}" for s, _ in r["runs"][name]) for name in COLUMNS))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated sizes, e.g. 10k,100k")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size below 100k (the median is shown)")
    parser.add_argument("--repeat-large", dest="repeat_large", type=int, default=1,
                        help="runs per size of 100k and more")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--dlt", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--posts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=["insert", "parquet"], default="insert", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.dlt:
        print(json.dumps(run_dlt(opts.url, opts.posts, opts.format, opts.work)))
        return 0
    sizes = [_size(s) for s in opts.sizes.split(",") if s.strip()]
    python, why = peer_environment()
    if python is None:
        print(f"peer_dlt: dlt not installed: {why}", file=sys.stderr)
        return 1
    version = subprocess.run([python, "-c", "import dlt; print(dlt.__version__)"], capture_output=True,
                             text=True, check=True).stdout.strip()
    load = [os.getloadavg()[0]]
    work = Path(tempfile.mkdtemp(prefix="civic-peer-dlt-"))
    results: dict[int, dict[str, Any]] = {}

    def write(size: int, result: dict[str, Any]) -> str:
        results[size] = result
        report = table(results, [*load, os.getloadavg()[0]], version)
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(report, encoding="utf-8")
        return report

    try:
        for size in sizes:
            result = at_size(size, opts.seed, opts.repeat_large if size >= 100_000 else opts.repeat, python, work,
                             size == sizes[0], lambda partial, size=size: write(size, partial))
            report = write(size, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
