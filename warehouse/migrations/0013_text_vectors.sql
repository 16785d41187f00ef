-- core_text_vectors grain: one row per text and embedding model: the text's vector, so a text is encoded once, ever
-- (a refit or a re-run encodes only texts it has not seen). `text_hash` is sha256(text) in hex, the same in SQL
-- (`sha256(text)`) and Python; `model_id` names the weights and the engine (models.embeddings.vector_model_id), so
-- another model's vectors are never mixed in; `vector` is little-endian float32, `dim` values. No text is stored.
-- Erasure deletes the vectors whose text no idea holds any more (warehouse.vectors.forget_unused).
create table core_text_vectors (
    text_hash varchar not null,
    model_id varchar not null,
    dim integer not null,
    vector blob not null,
    created_at timestamptz not null,
    primary key (text_hash, model_id)
);
