"""Issue 17, Graph API findings 6, 9, 11, 12 and 13 through a whole ingest: the stand-in over real HTTP, a real
DuckDB warehouse, and the client the flows build from the environment (`flows.ingest.graph_client`)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import duckdb
import pytest
from ingestkit import CONSULTATION, PAGE_ID, POST_ID, SALT, base_dataset, from_template, ingest, serving, snapshot

from flows.ingest import graph_client, ingest_posts
from flows.settings import Settings
from sources.errors import NotAPageToken, PageAccessError, UntrustedNextURL
from sources.graph import DEEP_MARKER
from sources.standin import DEFAULT_TOKEN
from sources.standin.faults import Scenario


def _env(monkeypatch: pytest.MonkeyPatch, url: str, token: str = DEFAULT_TOKEN, **extra: str) -> Settings:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)  # secrets from the environment, not from Prefect blocks
    for name, value in {"FACEBOOK_GRAPH_URL": url, "FACEBOOK_ACCESS_TOKEN": token, "CIVIC_IDEAS_PAGE_LIMIT": "3",
                        "CIVIC_IDEAS_MAX_RETRIES": "2", "CIVIC_IDEAS_HTTP_TIMEOUT": "5", **extra}.items():
        monkeypatch.setenv(name, value)
    return Settings()


def _run(settings: Settings, warehouse: Path, standin) -> dict[str, dict[str, int]]:
    with graph_client(settings, sleep=standin.clock.advance) as client:
        return ingest_posts(client, str(warehouse), PAGE_ID, CONSULTATION, [POST_ID], "r1", SALT)


def _query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# -- #11 (c): the token type is checked at the start ------------------------------------------------------------
@pytest.mark.parametrize("kind", ["user", "other_page"])
def test_a_user_or_other_page_token_fails_before_any_comment_is_read(tmp_path: Path, monkeypatch, kind: str) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    before = snapshot(warehouse)
    with serving(tokens={"tok": "user" if kind == "user" else "page"}) as standin:
        settings = _env(monkeypatch, standin.url, "tok")
        with pytest.raises(NotAPageToken) as caught, graph_client(settings) as client:
            page = PAGE_ID if kind == "user" else "999999999999999"
            ingest_posts(client, str(warehouse), page, CONSULTATION, [POST_ID], "r1", SALT)
        assert [r.path for r in standin.requests] == ["/v25.0/me"]
    message = str(caught.value)
    assert "\n" not in message and "tok" not in message.split()
    assert all(w in message for w in ("User token", "MODERATE", "pages_read_engagement", "pages_read_user_content"))
    assert snapshot(warehouse) == before


# -- #11 (b): comments without id, or with no author at all, fail the post -----------------------------------------
@pytest.mark.parametrize(("tokens", "scenario"), [
    ({DEFAULT_TOKEN: "page_no_moderate"}, Scenario()),
    (None, Scenario(omit_comment_ids=True)),
    (None, Scenario(omit_from_authors=frozenset(str(500000 + n) for n in range(17)))),
], ids=["no-moderate-task", "ids-omitted", "every-author-hidden"])
def test_comments_that_cannot_be_attributed_fail_and_store_nothing(tmp_path: Path, monkeypatch, tokens,
                                                                    scenario) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    before = snapshot(warehouse)
    with serving(tokens=tokens, scenario=scenario) as standin:
        with pytest.raises(PageAccessError) as caught:
            _run(_env(monkeypatch, standin.url), warehouse, standin)
    assert "MODERATE" in str(caught.value) and "pages_read_user_content" in str(caught.value)
    assert snapshot(warehouse) == before


# -- #6: a `next` to another host stops the ingest, and that host gets nothing ------------------------------------
def test_next_to_another_host_fails_the_ingest_without_sending_the_token(tmp_path: Path, monkeypatch) -> None:
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving() as elsewhere, serving(scenario=Scenario(next_base=elsewhere.url)) as standin:
        with pytest.raises(UntrustedNextURL) as caught:
            _run(_env(monkeypatch, standin.url), warehouse, standin)
        assert elsewhere.requests == []
    assert DEFAULT_TOKEN not in str(caught.value)
    assert _query(warehouse, "select count(*) from comments") == [(0,)]


# -- #9: a comment nested 5,000 deep is stored without its deep part --------------------------------------------
def test_a_comment_nested_5000_deep_is_stored_without_the_deep_part(tmp_path: Path, caplog) -> None:
    deep: dict = {"leaf": "bund"}
    for _ in range(5000):
        deep = {"target": deep}
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving() as standin:
        deep_id = standin.add_comment(POST_ID, "Dyb vedhæftning", author={"id": "512345", "name": "Dyb Borger"},
                                      attachment={"type": "share", "media": deep})
        with caplog.at_level(logging.WARNING, logger="sources.facebook.client"):
            counts = ingest(standin, warehouse)
    assert counts["complete"] and counts["fetched"] == len(base_dataset()["comments"]) + 1
    (message, has_attachment, payload), = _query(
        warehouse, f"select c.message, c.has_attachment, r.payload::varchar from comments c "
                   f"join raw_comments r using (comment_id) where comment_id = '{deep_id}'")
    assert message == "Dyb vedhæftning" and has_attachment and DEEP_MARKER in payload and "bund" not in payload
    assert any(deep_id in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


# -- #12: every reaction is stored as reaction_count beside like_count --------------------------------------------
def test_reaction_count_is_stored_beside_like_count(tmp_path: Path) -> None:
    data = base_dataset()
    for number, comment in enumerate(data["comments"]):
        comment["like_count"], comment["reaction_count"] = number % 3, number % 3 + number  # Love, Haha, … too
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(data) as standin:
        ingest(standin, warehouse)
        assert all("reactions.summary(total_count).limit(0)" in (r.param("fields") or "")
                   for r in standin.requests if r.path.endswith("/comments"))
        stored = dict((i, (lc, rc)) for i, lc, rc in _query(
            warehouse, "select comment_id, like_count, reaction_count from comments"))
        assert stored == {c["id"]: (c["like_count"], c["reaction_count"]) for c in data["comments"]}
        standin.store.comments[data["comments"][0]["id"]]["reaction_count"] = 40  # someone reacts with ❤️
        ingest(standin, warehouse, "r2")
    assert _query(warehouse, f"select reaction_count from comments where comment_id = '{data['comments'][0]['id']}'"
                  ) == [(40,)]


# -- #13: appsecret_proof from FACEBOOK_APP_SECRET ----------------------------------------------------------------
def test_app_secret_from_the_environment_signs_every_request(tmp_path: Path, monkeypatch, caplog) -> None:
    secret = "kommunens-app-hemmelighed"
    proof = hmac.new(secret.encode(), DEFAULT_TOKEN.encode(), hashlib.sha256).hexdigest()
    warehouse = from_template(tmp_path / "wh.duckdb", "empty")
    with serving(scenario=Scenario(app_secret=secret)) as standin:
        settings = _env(monkeypatch, standin.url, FACEBOOK_APP_SECRET=secret)
        with caplog.at_level(logging.DEBUG):
            counts = _run(settings, warehouse, standin)[POST_ID]
        assert counts["complete"] and counts["fetched"] == len(base_dataset()["comments"])
        assert len(standin.requests) >= 4 and all(r.values("appsecret_proof") == [proof] for r in standin.requests)
    assert secret not in caplog.text and proof not in caplog.text and secret not in repr(settings)
    stored = warehouse.read_bytes()
    assert secret.encode() not in stored and proof.encode() not in stored
