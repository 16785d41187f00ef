"""The Graph API's context reaches idea detection the way the pipeline reads it: Graph API comment payloads are
pseudonymised with the Page's id (`from` = the Page marks its replies), made staging rows (`comments_table`), and
given kinds (`transforms.select.comment_kinds`, which `flows.pipeline` calls)."""

from transforms.pseudonym import pseudonymise_comments
from transforms.records import comments_table
from transforms.select import comment_kinds

PAGE = "123456789012345"
POST = f"{PAGE}_987654321098765"


def _comment(n: int, message: str, author: str, parent: int | None = None, tags: list[dict] | None = None) -> dict:
    comment = {"id": f"{POST}_{n}", "message": message, "created_time": "2026-05-01T10:00:00+0000",
               "from": {"id": author, "name": "Navn Efternavn"}, "like_count": 0, "comment_count": 0}
    if parent is not None:
        comment["parent"] = {"id": f"{POST}_{parent}"}
    if tags:
        comment["message_tags"] = tags
    return comment


def _kinds(payloads: list[dict]) -> dict[str, tuple[str, str]]:
    staged = comments_table(pseudonymise_comments(payloads, b"test-salt", PAGE), POST, "havn").to_pandas()
    kinds = comment_kinds(staged)
    return {cid.rsplit("_", 1)[1]: (k, r) for cid, k, r in zip(kinds["comment_id"], kinds["kind"], kinds["kind_reason"],
                                                                 strict=True)}


def test_the_pages_own_comment_is_staff_whatever_the_text():
    kinds = _kinds([
        _comment(1, "Flere bænke ved havnen!", "555"),
        _comment(2, "Flere bænke ved havnen!", PAGE, parent=1),  # the Page repeating a proposal: still staff
        _comment(3, "Lav en hundeskov ved stranden", PAGE),
    ])
    assert kinds["1"][0] == "idea"
    assert kinds["2"] == ("staff", "written by the Page")
    assert kinds["3"] == ("staff", "written by the Page")


def test_a_reply_that_only_tags_friends_is_a_tag_and_one_with_a_proposal_an_idea():
    kinds = _kinds([
        _comment(1, "Hvad med et havnebad?", "555"),
        _comment(2, "Camilla Nielsen Rasmus Jensen", "556", parent=1,
                 tags=[{"id": "901", "name": "Camilla Nielsen", "type": "user", "offset": 0, "length": 15},
                       {"id": "902", "name": "Rasmus Jensen", "type": "user", "offset": 16, "length": 13}]),
        _comment(3, "Camilla Nielsen vi burde foreslå en badebro", "557", parent=1,
                 tags=[{"id": "901", "name": "Camilla Nielsen", "type": "user", "offset": 0, "length": 15}]),
    ])
    assert kinds["2"][0] == "tag"
    assert kinds["3"][0] == "idea"


def test_a_reply_without_a_proposal_is_not_an_idea_but_the_same_text_on_its_own_is():
    text = "Det er jo netop derfor butikkerne lukker, man kan ikke holde nogen steder"
    kinds = _kinds([_comment(1, text, "555"), _comment(2, text, "556", parent=1)])
    assert kinds["1"][0] == "idea"  # the text alone: content and no cue against, so the rules' default on a post
    assert kinds["2"] == ("reaction", "a reply in a thread without a proposal")


def test_a_reply_thanking_the_page_is_thanks():
    kinds = _kinds([_comment(1, "Hvornår er fristen?", "555"), _comment(2, "Tak for svaret! 👍", "555", parent=1)])
    assert kinds["1"][0] == "question"
    assert kinds["2"][0] == "thanks"
