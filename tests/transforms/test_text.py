"""Danish text handling: normalisation, stop words, stems, compounds, English."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.text import (
    DANISH_STOP_WORDS,
    CompoundSplitter,
    clean_text,
    detect_language,
    noun_likeness,
    proper_nouns,
    tokenize,
    words,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Se https://silkeborg.dk/plan og www.x.dk NU", "se og nu"),
        ("@PeterHansen #silkeborg Flere bænke", "flere bænke"),
        ("Sååååå fedt 😍😍🚲👍🏻", "så fedt"),
        ("  SUPER   idé\n\n", "super idé"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_text_normalises(raw, clean):
    assert clean_text(raw) == clean


@given(st.text())
def test_clean_text_is_idempotent(s):
    assert clean_text(clean_text(s)) == clean_text(s)


def test_danish_stop_words_come_from_the_maintained_list_and_are_dropped():
    assert {"og", "det", "at", "på", "jeg"} <= DANISH_STOP_WORDS
    assert tokenize("Jeg synes at det er godt og på tide") == ["syn", "godt", "tid"]


@pytest.mark.parametrize(
    ("word", "stem"),
    [("cykelstierne", "cykelsti"), ("cykelstier", "cykelsti"), ("legepladserne", "legeplads"), ("børnene", "børn")],
)
def test_danish_snowball_stems(word, stem):
    assert tokenize(word) == [stem]


def test_words_keep_the_surface_form_for_labels():
    assert words("Flere cykelstier") == [("flere", "fler"), ("cykelstier", "cykelsti")]


def _splitter():
    corpus = [
        "cykel og sti",
        "en cykel",
        "en sti",
        "motorvej",
        "motorvejen",
        "overdækningen",
        "overdækning",
        "legeplads",
        "lege",
        "vand",
    ]
    return CompoundSplitter(min_count=1).fit(corpus)


def test_compounds_split_into_parts_learned_from_the_corpus():
    splitter = _splitter()
    assert tokenize("cykelstier", splitter=splitter) == ["cykelsti", "cykel", "sti"]
    tokens = tokenize("motorvejsoverdækningen", splitter=splitter)
    assert tokens[0] == "motorvejsoverdækning"
    assert {"motorvej", "overdækning"} <= set(tokens)  # linking -s- recognised


def test_words_are_not_split_into_unknown_parts():
    splitter = _splitter()
    assert tokenize("vandkunst", splitter=splitter) == ["vandkunst"]  # "kunst" never seen alone
    assert tokenize("cykelsti") == ["cykelsti"]  # no splitter, no splitting


def test_english_comments_get_english_stems_and_stop_words():
    text = "We should build more bike lanes and the parks"
    assert detect_language(text.lower().split()) == "en"
    assert tokenize(text) == ["build", "bike", "lane", "park"]


def test_danish_is_the_default_for_unclear_texts():
    assert detect_language(["cykelsti"]) == "da"
    assert detect_language(["cykelsti"], default="en") == "en"


def test_known_words_let_the_splitter_find_seed_words_inside_compounds():
    splitter = CompoundSplitter().fit(["motorvejen", "motorvejen larmer"], known=["overdækning"])
    assert "overdækning" in tokenize("motorvejsoverdækningen", splitter=splitter)


def test_danish_function_words_are_stop_words():
    assert tokenize("kan vi få lidt lys ved søen") == ["lys", "søen"]


def test_redaction_placeholders_are_not_words():
    text = "[navn] [email] [telefon] [cpr]: [NAVN]s forslag er en hundeskov ved søen"
    assert words(text) == [("forslag", "forslag"), ("hundeskov", "hundeskov"), ("søen", "søen")]
    assert "navn" not in clean_text(text) and "cpr" not in clean_text(text)


def test_real_words_that_look_like_placeholders_are_kept():
    assert tokenize("giv pladsen et navn, skriv en email") == ["giv", "plads", "navn", "skriv", "email"]


def test_placeholders_give_the_splitter_no_parts():
    splitter = CompoundSplitter(min_count=1).fit(["[navn] [navn] [cpr] [email] [telefon]", "skilt"])
    assert tokenize("navneskilt", splitter=splitter) == ["navneskilt"]


def test_noun_likeness_reads_verbs_and_attributive_adjectives_off_their_context():
    likeness = noun_likeness(
        ["vi kan komme i parken", "man skal komme tit", "de store træer", "at komme til parken", "at kommunen lytter"]
    )
    assert likeness["park"] == 1.0 and likeness["kommun"] == 1.0  # "at kommunen" is "that", not an infinitive
    assert likeness["kom"] == 0.25  # three of three occurrences are verbs, smoothed by one pseudo-noun
    assert likeness["stor"] == 0.5 and likeness["træer"] == 1.0
    assert noun_likeness(["the bike lane", "you should make a bike lane"])["bike"] == 1.0  # English compounds


def test_noun_likeness_reads_imperatives_and_adverbials_and_never_names_closed_class_words():
    likeness = noun_likeness(
        ["Saml alle skolerne på ét sted", "saml skolerne", "Saml de små skoler", "I dag er der ingen sti",
         "en dag i parken", "hundeskov, gerne med hegn", "bus efter kl 17", "Please make it safe",
         "Make the road quiet", "make",
         "HUNDESKOV 🐶 det mangler vi", "lys på stien om aftenen", "aftenen er mørk"]
    )
    assert likeness["saml"] == 2 / 4  # before "alle" or "de små": an imperative; alone it is not proof
    assert likeness["skol"] == 1.0  # "saml skolerne": the noun after an imperative stays a noun
    assert likeness["dag"] == 2 / 3  # "i dag" is when, "en dag i parken" a noun
    assert likeness["gern"] == 0.0 and likeness["kl"] == 0.0
    assert likeness["hundeskov"] == 1.0 and likeness["hegn"] == 1.0  # "det" after a noun opens a clause
    assert likeness["aften"] == 2 / 3  # "om aftenen" is when
    assert likeness["make"] == 1 / 3  # "please make", "Make the road" (the lone "make" is stemmed as Danish)


def test_proper_nouns_are_the_words_written_with_a_capital_inside_sentences():
    texts = ["Vi kører til Aarhus hver dag", "bussen til Aarhus. Aarhus har job", "Parken er fin. Gudenå er smuk",
             "kbh og aarhus", "Hjælp os"]
    # "Parken", "Gudenå", "Hjælp" and the second "Aarhus" open a sentence: no evidence either way
    assert proper_nouns(texts) == {"aarhus"}
    assert proper_nouns(["fra Aarhus", "i aarhus", "i aarhus"]) == set()  # mostly written in lower case
    assert proper_nouns([None, "", "NU"]) == set()


def test_remembered_analyses_analyse_each_text_once_and_only_inside_the_block(monkeypatch):
    from transforms import text

    calls = []
    original = text._analysed
    monkeypatch.setattr(text, "_analysed", lambda s, language: calls.append(s) or original(s, language))
    doc = "Flere cykelstier ved motorvejen, tak!"
    splitter = CompoundSplitter(min_count=1).fit(["cykel sti cykelsti", doc])
    calls.clear()
    with text.remembered_analyses():
        pairs = text.words(doc)
        stems = text.tokenize(doc, splitter=splitter)
        assert text.words(doc, "en") == text.words(doc, "en")  # another default language is another analysis
    assert calls == [doc, doc]
    assert pairs == text.words(doc) and stems == text.tokenize(doc, splitter=splitter)  # the same as without
    assert calls == [doc, doc, doc, doc]  # nothing kept after the block
    assert text._MEMO.get() is None
