"""Idea detection on examples of each kind of comment that is not an idea, and on ideas in Danish and English."""

import pandas as pd
import pytest

from transforms.ideas import detect_ideas, is_idea

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
