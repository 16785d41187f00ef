"""Issue 17 #10, the pure part: a forgotten person's tagged name leaves other citizens' comments; other tags follow."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transforms.erasure import NAME, erase_names, erase_tagged, replace_ranges, tagged_names

MESSAGE = "Jens Hansen se lige her, og Mette Olsen også. Hej Jens Hansen!"
TAGS = [{"id": "k1", "type": "user", "offset": 0, "length": 11},
        {"id": "k2", "type": "user", "offset": 28, "length": 11}]


def _named(payload: dict) -> list[str]:
    message = payload["message"]
    return [message[t["offset"]:t["offset"] + t["length"]] for t in payload["message_tags"]]


def test_the_tagged_name_goes_everywhere_in_the_message_and_other_tags_move() -> None:
    payload = {"id": "1_2", "message": MESSAGE, "message_tags": TAGS}
    erased = erase_tagged(payload, {"k1"})
    assert erased["message"] == "[navn] se lige her, og Mette Olsen også. Hej [navn]!"
    assert _named(erased) == [NAME, "Mette Olsen"]
    assert [t.get("id") for t in erased["message_tags"]] == [None, "k2"]
    assert payload["message"] == MESSAGE and payload["message_tags"][0]["id"] == "k1", "the input is not changed"


def test_nested_comments_and_offset_keyed_tags_are_erased_too() -> None:
    payload = {"message": "Se her", "comments": {"data": [
        {"message": "Tak Jens Hansen", "message_tags": {"4": [{"id": "k1", "offset": 4, "length": 11}]}}]}}
    erased = erase_tagged(payload, {"k1"})
    reply = erased["comments"]["data"][0]
    assert reply["message"] == "Tak [navn]" and reply["message_tags"] == {"4": [{"offset": 4, "length": 6}]}
    assert tagged_names(payload, {"k1"}) == {"Jens Hansen"}


def test_names_from_other_versions_are_erased_where_the_tag_is_gone() -> None:
    earlier = {"message": "Hej jens hansen, kom og se", "message_tags": []}
    assert erase_tagged(earlier, {"k1"}, {"Jens Hansen"})["message"] == "Hej [navn], kom og se"
    assert erase_tagged(earlier, {"k1"}) == earlier, "nothing to do without a tag or a name"


def test_a_name_inside_a_longer_word_stays() -> None:
    text, _ = erase_names("Jensine og Jens", {"Jens"})
    assert text == "Jensine og [navn]"


def test_staging_spans_over_a_name_are_erased_and_moved() -> None:
    text, spans = erase_names(MESSAGE, {"Jens Hansen"}, [(0, 11), (28, 11)])
    assert [text[o:o + n] for o, n in spans] == [NAME, "Mette Olsen"]


@given(st.text(alphabet="abc æø😀", max_size=30), st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)),
                                                          max_size=4),
       st.lists(st.tuples(st.integers(0, 30), st.integers(0, 10)), max_size=4))
def test_moved_spans_cover_the_same_text_unless_it_was_replaced(text: str, ranges: list, spans: list) -> None:
    ranges = [(a, b) for a, b in ranges]
    spans = [(o, n) for o, n in spans if o + n <= len(text)]
    new, moved = replace_ranges(text, ranges, spans)
    hit = [(max(0, a), min(len(text), b)) for a, b in ranges if min(len(text), b) > max(0, a)]
    for (o, n), (mo, mn) in zip(spans, moved, strict=True):
        if not any(a < o + n and o < b or (n == 0 and a <= o < b) for a, b in hit):
            assert new[mo:mo + mn] == text[o:o + n]
        assert 0 <= mo and mo + mn <= len(new)
