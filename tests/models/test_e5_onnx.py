"""The multilingual backend's ONNX Runtime engine (int8 products) against its float32 NumPy engine, and the choice
between them."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from models import embeddings
from models.e5_numpy import E5Numpy
from models.e5_onnx import E5Onnx
from models.embeddings import MultilingualEncoder, multilingual_engine, multilingual_model, vector_model_id

SAMPLE = Path(__file__).parents[2] / "data" / "sample" / "facebook.json"
EDGE_CASES = [
    "", "  ", "Hej\tverden\n\nflere   cykelstier", "𒀀𒀁𒀂 kileskrift", "\x01\x02 kontrol", "<s> og </s> og <unk>",
    "🚲🚲🚲 🌳", "ﬁne ½ Ⅻ ①", "ÆØÅ æøå", "Plant flere træer i parken og byg en ny cykelsti " * 120,  # 1,686 tokens
    "Please build a safe bike lane along the river", "Mindre klasser i folkeskolen", "=HYPERLINK(\"x\") @alle +45",
]


def _texts(n: int) -> list[str]:
    comments = json.loads(SAMPLE.read_text(encoding="utf-8"))["comments"]
    return EDGE_CASES + list(dict.fromkeys(c.get("message") or "" for c in comments))[:n]


@pytest.fixture(scope="module")
def fast() -> E5Onnx:
    return multilingual_model("onnx-int8")


def test_int8_vectors_stay_within_the_tolerance_of_the_float32_engine(fast: E5Onnx) -> None:
    """Every text's vector within a cosine of 0.995 of the float32 engine's (measured over the sample's comments and
    the Danish dev set: 0.9979 at worst, 0.9992 on average), also for empty texts, unknown and control characters,
    literal special tokens and a text longer than the model's 512 positions; the same tokens as the float32 engine."""
    texts = _texts(150)
    reference = multilingual_model("numpy-f32")
    assert [fast.tokenize(t) for t in texts] == [reference.tokenize(t) for t in texts]
    got, want = fast.encode(texts), reference.encode(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * want).sum(axis=1)
    assert cosine.min() >= 0.995, [texts[i][:40] for i in np.flatnonzero(cosine < 0.995)]
    assert cosine.mean() >= 0.999
    assert not np.array_equal(got, want)  # it is the int8 engine that ran


def test_a_text_gets_the_same_vector_in_any_batch_order_and_thread_count(fast: E5Onnx) -> None:
    """Bit for bit: each token row is quantised alone, integer sums are exact, texts of one length share a call with
    no padding and the pooling runs in NumPy (ONNX Runtime's ReduceMean sums a lone window in another order)."""
    texts = _texts(60)
    together = fast.encode(texts)
    order = np.random.default_rng(1).permutation(len(texts))
    assert np.array_equal(fast.encode([texts[i] for i in order]), together[order])
    assert np.array_equal(np.vstack([fast.encode([t]) for t in texts[:20]]), together[:20])
    assert np.array_equal(np.vstack([fast.encode(texts[:7]), fast.encode(texts[7:])]), together)
    one_thread = E5Onnx(fast.model_path, threads=1)
    assert np.array_equal(one_thread.encode(texts), together)


def test_the_int8_engine_keeps_meaning(fast: E5Onnx) -> None:
    a, b, c = fast.encode(["Flere cykelstier langs åen", "En sti til cykler ved åen", "Mindre klasser i folkeskolen"])
    assert a @ b > a @ c + 0.05


def test_the_fast_engine_is_the_default_where_installed() -> None:
    encoder = MultilingualEncoder()
    assert multilingual_engine() == "onnx-int8" and isinstance(encoder._model, E5Onnx)
    assert encoder.model_id == vector_model_id("multilingual") and encoder.model_id.endswith(":onnx-int8-v1")
    slow = MultilingualEncoder(engine="numpy-f32")
    assert type(slow._model) is E5Numpy and slow.model_id.endswith(":numpy-f32-v1")
    assert slow.model_id.split(":")[:2] == encoder.model_id.split(":")[:2]  # same weights, another engine: another id
    with pytest.raises(ValueError, match="unknown multilingual engine 'gpu'"):
        multilingual_model("gpu")


def test_without_onnxruntime_the_float32_engine_runs_with_a_notice(monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A plain install of the extra from before (no onnxruntime): the backend still works, on the NumPy engine, and
    its vectors are stored under the NumPy engine's id, never mixed with the int8 engine's."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` raises ImportError
    embeddings._note_slow_engine.cache_clear()
    with caplog.at_level(logging.WARNING, logger="models.embeddings"):
        encoder = MultilingualEncoder()
        MultilingualEncoder()
    assert multilingual_engine() == "numpy-f32" and type(encoder._model) is E5Numpy
    assert encoder.model_id == vector_model_id("multilingual") and encoder.model_id.endswith(":numpy-f32-v1")
    notices = [r.getMessage() for r in caplog.records if "runs on its float32 NumPy engine" in r.getMessage()]
    assert len(notices) == 1 and "uv sync --extra embeddings" in notices[0]
    embeddings._note_slow_engine.cache_clear()
