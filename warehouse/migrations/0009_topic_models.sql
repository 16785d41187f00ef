-- core_topic_models grain: one row per consultation, the last full clustering's fitted model (a pickled
-- models.placement.TopicModel: vocabulary, SVD, centroids; no idea texts), so runs between refits can place new
-- ideas without refitting. `fingerprint` says what it was fitted with (language, backend, themes). Erasures delete
-- it, so the next run refits without the erased text.
create table core_topic_models (
    consultation varchar primary key,
    fitted_at timestamptz not null,
    fingerprint varchar not null,
    model blob not null
);
