"""Text vectors kept in the warehouse, keyed by (text hash, model id): a text is encoded once, ever.

``flows.pipeline.cluster_topics`` loads the vectors of a consultation's idea texts, lends them to the encoder
(``models.embeddings.remembered_vectors``) and saves the ones it had to encode. Erasure calls :func:`forget_unused`.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import numpy as np
import pyarrow as pa

__all__ = ["forget_unused", "load_vectors", "save_vectors", "text_hash"]


def text_hash(text: str) -> str:
    """sha256 of the text's UTF-8 bytes in hex: DuckDB's ``sha256(text)`` gives the same."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_vectors(con: duckdb.DuckDBPyConnection, model_id: str | None, texts: list[str]) -> dict[str, np.ndarray]:
    """The stored vectors of ``texts`` under ``model_id``, text -> float32 vector (texts without one are left out)."""
    if not model_id or not texts:
        return {}
    by_hash = {text_hash(t): t for t in dict.fromkeys(texts)}
    con.register("_wanted_hashes", pa.table({"text_hash": list(by_hash)}))
    try:
        table = con.sql(
            """select v.text_hash, v.dim, v.vector from core_text_vectors as v
               inner join _wanted_hashes as w using (text_hash) where v.model_id = $m""",
            params={"m": model_id},
        ).to_arrow_table()
    finally:
        con.unregister("_wanted_hashes")
    if table.num_rows == 0:
        return {}
    hashes, dims = table["text_hash"].to_pylist(), table["dim"].to_pylist()
    blob = b"".join(table["vector"].to_pylist())
    if len(set(dims)) != 1 or len(blob) != 4 * sum(dims):
        raise ValueError(f"stored vectors of {model_id} are damaged: delete them with "
                         f"`delete from core_text_vectors where model_id = '{model_id}'` and run again")
    flat = np.frombuffer(blob, dtype="<f4").astype(np.float32).reshape(len(hashes), dims[0])
    return {by_hash[h]: flat[i] for i, h in enumerate(hashes)}


def save_vectors(con: duckdb.DuckDBPyConnection, model_id: str | None, vectors: dict[str, np.ndarray],
                 now: dt.datetime) -> int:
    """Store new vectors (text -> vector) under ``model_id``; a text that has one already keeps it. Returns how many
    were added."""
    if not model_id or not vectors:
        return 0
    texts = list(vectors)
    matrix = np.ascontiguousarray(np.vstack([vectors[t] for t in texts]), dtype="<f4")
    rows = pa.table({
        "text_hash": [text_hash(t) for t in texts],
        "dim": pa.array([matrix.shape[1]] * len(texts), pa.int32()),
        "vector": pa.array([row.tobytes() for row in matrix], pa.binary()),
    })
    before = _count(con, model_id)
    con.register("_new_vectors", rows)
    try:
        con.execute(
            """insert into core_text_vectors
               select text_hash, $m, dim, vector, $now from _new_vectors on conflict do nothing""",
            {"m": model_id, "now": now},
        )
    finally:
        con.unregister("_new_vectors")
    return _count(con, model_id) - before


def _count(con: duckdb.DuckDBPyConnection, model_id: str) -> int:
    return con.execute("select count(*) from core_text_vectors where model_id = $m", {"m": model_id}).fetchall()[0][0]


def forget_unused(con: duckdb.DuckDBPyConnection) -> int:
    """Delete the vectors of texts no idea holds any more (erased, deleted or edited away); returns how many.

    Call it after an erasure has deleted the ideas, in the same transaction: a vector is derived from the text."""
    return con.execute(
        """delete from core_text_vectors
           where text_hash not in (select sha256(text) from core_ideas where text is not null)"""
    ).fetchall()[0][0]
