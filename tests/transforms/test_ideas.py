"""Idea detection on examples of each kind of comment that is not an idea, and on ideas in Danish and English."""

import pandas as pd
import pytest

from transforms.ideas import KINDS, classify, detect_ideas, detect_kinds, is_idea

IDEAS = [
    "Der burde være flere cykelstier langs Gudenåen",
    "Hvad med en legeplads og et shelter ved søen?",
    "Kunne man ikke lave en hundeskov på overdækningen",
    "Mit forslag: en skaterbane til de unge",
    "Jeg ønsker mig en svømmehal med varmtvandsbassin",
    "Legeplads og bænke under træerne ved motorvejen",
    "Tak for initiativet! Jeg kunne godt tænke mig en park med frugttræer 🍎",
    "Why not build a bike path along the river?",
    "The town needs more benches and public toilets",
    "Plant flere træer 🌳🌳🌳",
]
NOT_IDEAS = {
    "thank-you": ["Tusind tak for et godt initiativ 👍", "Mange tak Anne!", "Thanks, great job"],
    "emoji-only": ["😍😍😍", "👍🏻", "!!!"],
    "question": ["Hvornår starter byggeriet?", "Er der parkering ved hallen?"],
    "complaint": ["Det er en skandale, elendig planlægning", "Typisk kommunen, spild af penge"],
    "spam": ["Vind en gratis iPhone, klik her https://spam.example/win", "Earn bitcoin fast www.scam.example"],
    "agreement": ["Helt enig!", "Enig 👍"],
}


@pytest.mark.parametrize("message", IDEAS)
def test_proposals_and_wishes_are_ideas(message):
    assert is_idea(message)


@pytest.mark.parametrize(("kind", "message"), [(k, m) for k, ms in NOT_IDEAS.items() for m in ms])
def test_non_ideas_are_not_ideas(kind, message):
    assert not is_idea(message), kind


@pytest.mark.parametrize("message", ["Mette Hansen Lars Jensen", "Peter Nielsen se her", "Sofie Holm ❤️"])
def test_comments_that_only_tag_friends_are_not_ideas(message):
    assert not is_idea(message, tag_count=2)


def test_tagging_a_friend_next_to_a_proposal_is_an_idea():
    assert is_idea("Mette Hansen vi burde foreslå en badebro", tag_count=1)


def test_replies_by_the_page_are_never_ideas():
    assert not is_idea("Vi kunne godt lave flere cykelstier, tak for forslaget", is_page_reply=True)


def test_citizen_replies_can_be_ideas():
    assert is_idea("Og så burde der være lys på stien", is_reply=True)


def test_detect_ideas_on_a_frame_with_missing_messages():
    df = pd.DataFrame(
        {
            "message": ["Flere bænke tak", None, "", "Tak!", "Hvad med en bypark?"],
            "is_page_reply": [False, False, False, False, True],
            "is_reply": [False, False, True, True, True],
            "tag_count": [0, 0, 0, 0, 0],
        },
        index=[10, 11, 12, 13, 14],
    )
    result = detect_ideas(df)
    assert result.dtype == bool
    assert result.index.tolist() == [10, 11, 12, 13, 14]
    assert result.tolist() == [True, False, False, False, False]


def test_detect_ideas_on_an_empty_frame():
    empty = pd.DataFrame(columns=["message", "is_page_reply", "is_reply", "tag_count"])
    assert detect_ideas(empty).empty


# A case for each kind, in Danish and in English, from the text alone (no Graph API context).
KIND_CASES = [
    ("idea", "LYS PÅ STIERNE. Jeg er træt af at gå hjem i bælgmørke"),
    ("idea", "Godt lys!! det er uhyggeligt at gå der om aftenen"),
    ("idea", "beboerparkering tak"),
    ("idea", "og biograf under åben himmel!"),
    ("idea", "Hvorfor er der ingen bus til Dalstrup efter kl 18?"),
    ("idea", "More benches along the river please"),
    ("staff", "Tak for forslaget, vi tager det med. /Anne, Silkeborg Kommune"),
    ("staff", "Hej Søren. Det undersøger vi. Mvh Lars, Park og Vej, Silkeborg Kommune"),
    ("staff", "Høringsfristen er 1. maj. Venlig hilsen Borgerservice, Silkeborg kommune"),
    ("staff", "Vi kigger på det i næste uge /Team Park og Vej"),
    ("staff", "Thanks for your idea, we will look at it. /Anne, Silkeborg Municipality"),
    ("tag", "@Camilla Nielsen @Rasmus Jensen"),
    ("tag", "Camilla Nielsen se her"),
    ("tag", "@Helle Dam det er den her jeg snakkede om i går"),
    ("tag", "@John Smith look at this"),
    ("thanks", "Tusind tak fordi I spørger os ❤️"),
    ("thanks", "Thank you for asking us!"),
    ("question", "Hvornår er fristen?"),
    ("question", "When is the deadline?"),
    ("complaint", "Endnu en strategi der ender i en skuffe"),
    ("complaint", "Another plan that ends up in a drawer. Typical."),
    ("reaction", "Følger med 👀"),
    ("reaction", "Deler lige"),
    ("reaction", "💯"),
    ("reaction", "Enig!!"),
    ("reaction", "Following 👀"),
    ("spam", "Privat dagplejer har ledige pladser fra 1. april 🌈 Skriv en PB for at høre mere"),
    ("spam", "Earn money fast from home, check my profile"),
    ("off_topic", "Har nogen set en sort kat ved stationen? Hun hedder Misse"),
    ("off_topic", "Has anyone seen a black cat near the station?"),
]


@pytest.mark.parametrize(("kind", "message"), KIND_CASES)
def test_each_kind_from_the_text_alone(kind, message):
    verdict = classify(message)
    assert verdict.kind == kind, verdict
    assert verdict.reason
    assert is_idea(message) == (kind == "idea")


def test_a_signature_names_the_cue_not_the_person():
    verdict = classify("Det er sendt videre. /Anne, Silkeborg Kommune")
    assert verdict.kind == "staff"
    assert "Anne" not in verdict.reason and "signature" in verdict.reason


def test_a_citizen_signing_with_a_greeting_is_not_staff():
    message = "Lad skolen blive hvor den er.\n\nMvh en bekymret farfar"
    assert classify(message).kind == "idea"


def test_the_page_context_makes_an_unsigned_reply_staff():
    assert classify("Godt forslag, det tager vi med", is_page_reply=True).kind == "staff"
    assert classify("Godt forslag, det tager vi med").kind != "staff"


def test_detect_kinds_gives_every_row_a_known_kind_and_reason():
    df = pd.DataFrame({"message": ["Flere bænke tak", None, "Enig!!", "@Lone Bach", "Hvornår er fristen?"]})
    kinds = detect_kinds(df)
    assert kinds["kind"].tolist() == ["idea", "reaction", "reaction", "tag", "question"]
    assert set(kinds["kind"]) <= set(KINDS)
    assert kinds["kind_reason"].map(bool).all()
    assert detect_ideas(df).tolist() == [True, False, False, False, False]


def test_detection_is_deterministic():
    df = pd.DataFrame({"message": [m for _, m in KIND_CASES]})
    assert detect_kinds(df).equals(detect_kinds(df))


def test_with_tagged_friends_the_opening_courtesy_word_is_not_taken_for_a_name():
    assert not is_idea("Tak for info 👍", tag_count=2)  # "Tak" was taken for a name, leaving "for info"
    assert classify("Mette Hansen Lav en badebro", tag_count=1).kind == "idea"
