"""Labels a planner would write: noun phrases from the topic's own ideas (models.labels.idea_phrases / phrase_label,
used by models.topics.analyse)."""

from __future__ import annotations

import pandas as pd
import pytest

from models import labels
from models.labels import MAX_LABEL_CHARS, idea_phrases, label_word_lists, phrase_label, topic_phrases
from models.topics import analyse
from transforms.text import clean_text, words


def _phrases(text: str, language: str = "da") -> dict:
    return idea_phrases(clean_text(text), words(text, language), language)


def _ideas(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"idea_id": [f"i{i:03d}" for i in range(len(texts))], "text": texts,
                         "author_key": [f"a{i}" for i in range(len(texts))], "like_count": 0})


def test_a_phrase_is_a_head_noun_with_an_adjective_or_a_prepositional_phrase() -> None:
    found = _phrases("Vi vil gerne have en cykelsti til Sorring, og gratis parkering ved hallen")
    surfaces = {" ".join(s) for s in found.values()}
    assert {"cykelsti til sorring", "gratis parkering", "parkering ved hallen", "cykelsti", "sorring"} <= surfaces
    assert ("cykelsti", "_til", "sorring") in found  # the linking word is kept as written, marked
    assert not any(s.endswith(("have", "vil", "gerne", " til", "gratis")) for s in surfaces)  # no verb/link/adjective
    assert not any(s.startswith(("have", "vil", "gerne", "en ")) for s in surfaces)
    assert "sorring og gratis" not in " | ".join(surfaces)  # never across a comma


def test_a_definite_noun_and_its_verb_are_not_a_phrase() -> None:
    surfaces = {" ".join(s) for s in _phrases("Børnene cykler hver dag. Skolen lukker").values()}
    assert "børnene cykler" not in surfaces and "skolen lukker" not in surfaces
    assert "børnene" in surfaces and "skolen" in surfaces


def test_english_phrases_use_english_links() -> None:
    surfaces = {" ".join(s) for s in _phrases("Please build a bike lane to Scottsville and a skate park with ramps",
                                               "en").values()}
    assert "skate park with" not in surfaces
    assert {"bike lane", "bike lane to scottsville", "skate park with ramps"} <= surfaces
    assert not any(s.startswith(("build", "please")) for s in surfaces)


def test_phrase_label_needs_backing_ideas_and_the_topics_head() -> None:
    ideas = [_phrases(t) for t in ["hundeskov med hegn", "hegn om hundeskoven tak", "en hundeskov ved søen",
                                   "kærlig hånd til hallen", "kærlig hånd"]]
    found = topic_phrases(ideas, [1] * len(ideas))[1]
    holders: dict[str, set[int]] = {}
    for k, t in enumerate(["hundeskov med hegn", "hegn om hundeskoven tak", "en hundeskov ved søen",
                           "kærlig hånd til hallen", "kærlig hånd"]):
        for _, stem in words(t):
            holders.setdefault(stem, set()).add(k)
    weight = {"hundeskov": 1.0, "hegn": 0.6, "sø": 0.5, "kær": 2.0, "kærlig": 2.0, "hånd": 2.0}
    best = phrase_label(found, weight, holders, ["hundeskov"])
    assert best is not None and best[0] == ("hundeskov", "med", "hegn")  # 2 ideas back it, worded two ways
    assert phrase_label(found, weight, holders, ["hundeskov"], min_ideas=3) is None
    assert phrase_label(found, weight, holders, ["hal"]) is None  # "kærlig hånd" has no head of the topic


TWO_TOPICS = [
    "Cykelsti til Sorring, det er farligt at cykle på vejen",
    "Vi mangler en cykelsti til Sorring",
    "Lav nu den cykelsti til Sorring som vi har ventet på",
    "Cykelstien til Sorring skal være bred og belyst",
    "Sorring trænger til en cykelsti langs landevejen",
    "En cykelsti til Sorring ville gøre at børnene kan cykle selv",
    "Hundeskov med hegn ved søen",
    "En hundeskov med hegn så hundene kan løbe frit",
    "Vi ønsker os en hundeskov med hegn og en bænk",
    "Hundeskoven skal have hegn og skraldespande",
    "Lav en hundeskov med hegn, tak",
    "Hundeskov med hegn og vand til hundene",
]


@pytest.fixture(scope="module")
def run():
    return analyse(_ideas(TWO_TOPICS), language="da", k=2)


def test_topics_get_noun_phrase_labels_from_their_own_ideas(run) -> None:
    labels_ = set(run.topics.loc[run.topics["topic_id"] > 0, "label"])
    assert labels_ == {"Cykelsti til Sorring", "Hundeskov med hegn"}  # the place name keeps its capital
    keywords = run.topics.set_index("label")["keywords"]
    assert keywords["Hundeskov med hegn"].startswith("hundeskov; hegn")  # the phrase's nouns lead, not "med"


def test_labels_are_short_unique_and_deterministic(run) -> None:
    for label in run.topics["label"]:
        assert len(label.split()) <= 4 and len(label) <= MAX_LABEL_CHARS, label
    assert run.topics["label"].is_unique
    again = analyse(_ideas(TWO_TOPICS), language="da", k=2)
    assert again.topics[["topic_id", "label", "keywords"]].equals(run.topics[["topic_id", "label", "keywords"]])


def test_a_verb_never_names_a_topic_alone() -> None:
    texts = [f"man skal kunne gå {where}" for where in
             ["over broen", "langs åen", "rundt om søen", "gennem parken", "til stationen", "hen til skolen"]]
    texts += [f"bænke {where} tak" for where in ["ved åen", "i parken", "ved søen", "på torvet", "ved skolen", "her"]]
    out = analyse(_ideas(texts), language="da", k=2)
    shown = " ".join(out.topics["label"]).lower().replace("·", " ").split()
    assert "gå" not in shown and "kunne" not in shown and "skal" not in shown


def test_a_place_name_does_not_lead_the_label() -> None:
    texts = [f"Silkeborg har brug for {thing}" for thing in
             ["en skaterbane", "en ny skaterbane", "skaterbane ved hallen", "en skaterbane til de unge"]]
    texts += [f"Silkeborg {thing}" for thing in ["skaterbane nu", "skaterbane med ramper"]]
    texts += [f"Mere {thing} i Silkeborg, siger {who}" for thing, who in
              [("grønt", "jeg"), ("lys", "vi"), ("plads", "de")]]
    out = analyse(_ideas(texts), language="da", k=1)
    label = out.topics.loc[out.topics["topic_id"] > 0, "label"].iloc[0]
    assert not label.startswith("Silkeborg"), label
    assert label.lower().startswith("skaterbane"), label


def test_hostile_text_stays_out_of_labels() -> None:
    texts = [f"<script>alert(1)</script> hundeskov med hegn {i} =HYPERLINK(\"x\")" for i in range(4)]
    texts += [f"cykelsti til skolen <b>{i}</b> & mere" for i in range(4)]
    out = analyse(_ideas(texts), language="da", k=2)
    for label in out.topics["label"]:
        assert not set(label) & set("<>=&\"()/"), label


def test_a_malformed_word_list_is_a_one_line_error(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "label_words.txt"
    bad.write_text("gå går\n[edge da]\nkomme\n", encoding="utf-8")
    monkeypatch.setattr(labels, "LABEL_WORDS_FILE", bad)
    label_word_lists.cache_clear()
    try:
        with pytest.raises(ValueError, match="before the first") as err:
            label_word_lists()
        assert "\n" not in str(err.value)
    finally:
        monkeypatch.undo()
        label_word_lists.cache_clear()
    assert "går" in label_word_lists()[("edge", "da")]
