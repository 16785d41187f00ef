-- core_topic_models grain: one row per consultation, the last full clustering's fitted model (a pickled
-- models.placement.TopicModel: vocabulary of words seen in at least two ideas, SVD, centroids, topic labels; no idea
-- texts), so runs between refits can place new ideas without refitting. `fingerprint` says what it was fitted with
-- (language, backend, themes, model format and library versions). Erasures delete it, so the next run refits
-- without the erased text; a run whose ideas lost one the model was fitted on (a deletion) refits too.
create table core_topic_models (
    consultation varchar primary key,
    fitted_at timestamptz not null,
    fingerprint varchar not null,
    model blob not null
);

-- core_topic_model_ideas grain: one row per idea the stored model was fitted on, with a hash of its text, so a later
-- run knows which ideas are new or edited since the fit (those are placed) and which are gone (then it refits).
create table core_topic_model_ideas (
    consultation varchar not null,
    idea_id varchar not null,
    text_hash ubigint not null,
    primary key (consultation, idea_id)
);
