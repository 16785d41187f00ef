"""(g) End to end: each command as a user runs it, one whole process from start to exit, beside its baseline.

`make bench` adds this table; `benchmarks/bench.py --only e2e --sizes 10k` runs only it. Every row is wall time of
a fresh process (best of `repeat` where stated), measured in the same run as its baseline:

- `ingest` of N comments from the Graph API stand-in (a process of its own) against a bare `requests` loop over the
  same pages, also a whole process (`bench.py --stage bare`);
- `cluster-file` of N comments (a CSV of synthetic comments) against TF-IDF + SVD(100) + MiniBatchKMeans(20) on the
  same file, a whole process that reads the CSV too;
- `--help`, `sql "select 1"` on a small warehouse, `run` on the demo data (the bundled sample served by the
  stand-in), `demo`, and the fixed cost of a flow command: `ingest` of a consultation whose one post has no comments.

No Prefect API is configured (a fresh PREFECT_HOME), as on a planner's or analyst's machine. Python's bytecode
is cached for the run (a scratch PYTHONPYCACHEPREFIX, PYTHONDONTWRITEBYTECODE unset), as on a user's machine after the
first run: a process that compiled every module it imports on each start would measure the compiler. Each row also
gives the process's CPU seconds (user + system, from `getrusage`), which a busy machine disturbs less than wall time.

At the smallest size, `cluster-file` with the default backend (multilingual where installed) is timed too, beside
the encoding of the same ideas alone (the default run's ideas, encoded in a process of their own by the backend's
encoder): the semantic backend's floor.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(ROOT / ".venv" / "bin" / "civic-ideas")]
SAMPLE = ROOT / "data" / "sample"
TOKEN = "standin-page-token"  # sources.standin.DEFAULT_TOKEN, a Page token of the served Page
SALT = "bench-salt-0123456789abcdef-0123"
GOALS = {"help": 0.5, "sql": 1.0, "fixed": 3.0}
BASELINE_CLUSTER = """
import csv, sys
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    texts = [row["text"] for row in csv.DictReader(f)]
pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), TruncatedSVD(100, random_state=0),
                     Normalizer(), MiniBatchKMeans(20, random_state=0, n_init=3))
labels = pipe.fit_predict(texts)
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows(zip(range(len(texts)), labels))
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "CIVIC_IDEAS_", "FACEBOOK_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PREFECT_HOME=str(home / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               CIVIC_IDEAS_SALT=SALT, PYTHONPYCACHEPREFIX=str(home / "pycache"), **extra)
    return env


CPU: dict[str, float] = {}  # CPU seconds of the last process `timed` ran, by its row name (see `timed`)


def timed(cmd: Sequence[str], env: dict[str, str], cwd: Path = ROOT, cpu_as: str | None = None) -> float:
    """Wall time of one process, start to exit; raises with its stderr when it fails. Its CPU seconds (user +
    system) go to ``CPU[cpu_as]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(cmd), capture_output=True, text=True, env=env, cwd=cwd, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed:\n{done.stderr[-3000:]}")
    if cpu_as:
        CPU[cpu_as] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds


def best(cmd: Sequence[str], env: dict[str, str], repeat: int = 3, cpu_as: str | None = None) -> float:
    """Best of `repeat` runs (the least disturbed by the rest of the machine); the CPU seconds are the least too."""
    runs = []
    for _ in range(repeat):
        runs.append((timed(cmd, env, cpu_as=cpu_as), CPU.get(cpu_as or "", 0.0)))
    if cpu_as:
        CPU[cpu_as] = min(cpu for _, cpu in runs)
    return min(wall for wall, _ in runs)


def _config(path: Path, page_id: str, post_ids: list[str]) -> Path:
    posts = ", ".join(json.dumps(p) for p in post_ids)
    path.write_text(f'[facebook]\npage_id = "{page_id}"\n\n[[consultations]]\nslug = "bench"\ntitle = "Bench"\n'
                    f'post_ids = [{posts}]\nlanguage = "da"\n', encoding="utf-8")
    return path


def _comments_csv(path: Path, size: int, seed: int) -> Path:
    import synth

    texts, _, _ = synth.texts(size, seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows((i, text) for i, text in enumerate(texts))
    return path


def fixed_costs(work: Path, repeat: int) -> dict[str, float]:
    """`--help`, `sql "select 1"` and a flow command on an empty input (one post, no comments)."""
    from sources.standin import GraphStandIn

    empty = {"page": {"id": "100000000000009", "name": "Tom Kommune"},
             "posts": [{"id": "100000000000009_1", "created_time": "2024-01-01T08:00:00+0000", "message": "Idéer?",
                        "permalink_url": "https://www.facebook.com/100000000000009/posts/1",
                        "consultation": "bench"}], "comments": []}
    config = _config(work / "empty.toml", "100000000000009", ["100000000000009_1"])
    warehouse = work / "empty.duckdb"
    out: dict[str, float] = {}
    with GraphStandIn(empty) as standin:
        env = _env(work, FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN)
        timed([*CLI, "--help"], env)  # the bytecode cache is filled by a first run that is not counted
        out["fixed"] = best([*CLI, "--warehouse", str(warehouse), "ingest", "--config", str(config)], env, repeat,
                            cpu_as="fixed")
    out["help"] = best([*CLI, "--help"], env, repeat, cpu_as="help")
    out["sql"] = best([*CLI, "--warehouse", str(warehouse), "sql", "select 1"], env, repeat, cpu_as="sql")
    return out


def demo_runs(work: Path) -> dict[str, float]:
    """`run` on the bundled sample (served by the stand-in here), and `demo`, which serves it itself."""
    from sources.standin import GraphStandIn, load_dataset

    out: dict[str, float] = {}
    with GraphStandIn(load_dataset(SAMPLE / "facebook.json")) as standin:
        env = _env(work, FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN)
        out["run"] = timed([*CLI, "--warehouse", str(work / "run.duckdb"), "--export-dir", str(work / "run-exports"),
                            "run", "--config", str(SAMPLE / "consultations.toml")], env, cpu_as="run")
    out["demo"] = timed([*CLI, "--warehouse", str(work / "demo.duckdb"), "--export-dir", str(work / "demo-exports"),
                         "demo"], _env(work), cpu_as="demo")
    return out


def at_size(size: int, seed: int, work: Path, bench_script: Path, threads: int) -> dict[str, float]:
    """`ingest` and `cluster-file` of `size` comments, each beside its baseline process."""
    import synth
    from bench import _post_ids

    out: dict[str, float] = {}
    server = subprocess.Popen([sys.executable, str(bench_script), "--serve", "--size", str(size), "--seed",
                               str(seed)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = json.loads(server.stdout.readline())["url"]
        threads_env = {v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        env = _env(work, FACEBOOK_GRAPH_URL=url, FACEBOOK_ACCESS_TOKEN=TOKEN, **threads_env)
        out["bare"] = timed([sys.executable, str(bench_script), "--stage", "bare", "--size", str(size), "--seed",
                             str(seed), "--url", url], env, cpu_as="bare")
        config = _config(work / f"ingest-{size}.toml", synth.PAGE_ID, _post_ids(size, seed))
        out["ingest"] = timed([*CLI, "--warehouse", str(work / f"ingest-{size}.duckdb"), "ingest", "--config",
                               str(config)], env, cpu_as="ingest")
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    comments = _comments_csv(work / f"comments-{size}.csv", size, seed)
    out["plain_chain"] = timed([sys.executable, "-c", BASELINE_CLUSTER, str(comments), str(work / "plain.csv")], env,
                               cpu_as="plain_chain")
    out["cluster_file"] = timed([*CLI, "cluster-file", str(comments), "--text-column", "text", "--id-column", "id",
                                 "--backend", "tfidf", "--out", str(work / f"topics-{size}.csv")], env,
                                cpu_as="cluster_file")
    out["cpu"] = {name: CPU[name] for name in ("bare", "ingest", "plain_chain", "cluster_file")}
    return out


ENCODE_ALONE = """
import csv, sys, time
from models.embeddings import MultilingualEncoder
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    texts = [row["text"] for row in csv.DictReader(f) if row["is_idea"] == "True"]
encoder = MultilingualEncoder()
encoder.encode(texts)
print(len(texts))
"""


def default_backend(size: int, seed: int, work: Path, threads: int) -> dict[str, Any]:
    """`cluster-file` of `size` comments with the default backend, and the encoding of its ideas alone."""
    comments = _comments_csv(work / f"comments-{size}.csv", size, seed)
    threads_env = {v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env = _env(work, **threads_env)
    out_csv = work / f"default-{size}.csv"
    try:
        seconds = timed([*CLI, "cluster-file", str(comments), "--text-column", "text", "--id-column", "id",
                         "--out", str(out_csv)], env, cpu_as="default")
    except RuntimeError as error:  # e.g. the embeddings extra is not installed
        return {"size": size, "error": str(error).strip().splitlines()[-1]}
    encode = timed([sys.executable, "-c", ENCODE_ALONE, str(out_csv)], {**env, "PYTHONPATH": str(ROOT)},
                   cpu_as="encode")
    return {"size": size, "cluster_file": seconds, "encode": encode,
            "cpu": {"cluster_file": CPU["default"], "encode": CPU["encode"]}}


def measure(sizes: list[int], seed: int, bench_script: Path, threads: int, repeat: int = 3,
            workdir: str | None = None, keep: bool = False) -> dict[str, Any]:
    """Every row of the table; progress on stderr. The scratch folder goes unless `keep`."""
    work = Path(tempfile.mkdtemp(prefix="bench-e2e-", dir=workdir))
    result: dict[str, Any] = {"load": [os.getloadavg()[0]], "cores": os.cpu_count()}
    try:
        for name, step in (("fixed costs", lambda: fixed_costs(work, repeat)),
                           ("demo data", lambda: demo_runs(work))):
            print(f"e2e: {name}", file=sys.stderr, flush=True)
            result.update(step())
        result["cpu"] = {name: CPU[name] for name in ("help", "sql", "fixed", "run", "demo")}
        result["sizes"] = {}
        for size in sizes:
            print(f"e2e: {size:,} comments", file=sys.stderr, flush=True)
            result["sizes"][size] = at_size(size, seed, work, bench_script, threads)
        print(f"e2e: {min(sizes):,} comments, default backend", file=sys.stderr, flush=True)
        result["default_backend"] = default_backend(min(sizes), seed, work, threads)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    result["load"].append(os.getloadavg()[0])
    return result


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline > 0 else "–"


def _load_note(result: dict[str, Any]) -> str:
    """The machine's load average (1 min) at the start and end: above its core count, other processes took turns with
    these, and wall times grow more than CPU seconds."""
    load = result.get("load")
    if not load or len(load) < 2:
        return ""
    return (f" Load average at start and end: {load[0]:.1f} and {load[1]:.1f} on {result.get('cores', '?')} cores"
            + (" (a busy machine: compare the CPU columns)." if max(load) > (result.get("cores") or 1) else "."))


def _cpu(result: dict[str, Any], name: str) -> str:
    cpu = (result.get("cpu") or {}).get(name)
    return "" if cpu is None else f"{cpu:.2f}"


def table(result: dict[str, Any], label: Any, repeat: int = 3) -> str:
    """The markdown section."""
    lines = [
        "## (g) End to end: each command as a process, start to exit",
        "",
        f"Wall time of a fresh process; `--help`, `sql` and the fixed cost best of {repeat}. No Prefect API "
        "configured (flows run without Prefect: flows/orchestration.py). Bytecode cached for the run, as after a "
        "user's first run. CPU: the process's user + system seconds (its threads on both cores count). Baselines are "
        "whole processes too." + _load_note(result),
        "",
        "| command | seconds | CPU s | baseline | baseline seconds | baseline CPU s | ratio | goal |",
        "|---|---|---|---|---|---|---|---|",
        f"| `civic-ideas --help` | {result['help']:.2f} | {_cpu(result, 'help')} | | | | | <= {GOALS['help']} s |",
        f"| `civic-ideas sql \"select 1\"` | {result['sql']:.2f} | {_cpu(result, 'sql')} | | | | | "
        f"<= {GOALS['sql']} s |",
        f"| flow command, fixed cost (`ingest`, one post, no comments) | {result['fixed']:.2f} | "
        f"{_cpu(result, 'fixed')} | | | | | <= {GOALS['fixed']} s |",
        f"| `civic-ideas run` on the demo data (stand-in) | {result['run']:.1f} | {_cpu(result, 'run')} | | | | | |",
        f"| `civic-ideas demo` | {result['demo']:.1f} | {_cpu(result, 'demo')} | | | | | |",
    ]
    for size, r in result["sizes"].items():
        lines.append(f"| `civic-ideas ingest`, {label(int(size))} comments | {r['ingest']:.1f} | {_cpu(r, 'ingest')} "
                     f"| bare `requests` loop | {r['bare']:.1f} | {_cpu(r, 'bare')} | {_ratio(r['ingest'], r['bare'])} "
                     "| <= 1.3x at 100k |")
        lines.append(f"| `civic-ideas cluster-file --backend tfidf`, {label(int(size))} comments | "
                     f"{r['cluster_file']:.1f} | {_cpu(r, 'cluster_file')} | TF-IDF + SVD(100) + MiniBatchKMeans(20) "
                     f"| {r['plain_chain']:.1f} | {_cpu(r, 'plain_chain')} | "
                     f"{_ratio(r['cluster_file'], r['plain_chain'])} | <= 2x at 100k |")
    d = result.get("default_backend")
    if d and "error" in d:
        lines.append(f"| `civic-ideas cluster-file` (default backend), {label(int(d['size']))} comments | not "
                     f"measured: {d['error']} | | | | | | |")
    elif d:
        lines.append(f"| `civic-ideas cluster-file` (default backend), {label(int(d['size']))} comments | "
                     f"{d['cluster_file']:.1f} | {_cpu(d, 'cluster_file')} | encoding its ideas alone (same encoder, "
                     f"a process of its own) | {d['encode']:.1f} | {_cpu(d, 'encode')} | "
                     f"{_ratio(d['cluster_file'], d['encode'])} | |")
    return "\n".join(lines) + "\n"
