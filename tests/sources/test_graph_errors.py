"""Error classification by code / subcode / is_transient, and messages that are safe to show."""

from __future__ import annotations

import pytest

from sources.errors import from_body, mask_text
from sources.graph import (
    CursorLimit,
    DeletedObject,
    GraphAPIError,
    GraphPermissionError,
    PageTokenRequired,
    RateLimitError,
    ReduceDataError,
    TokenError,
    TransientError,
    mask_url,
)


def _error(code: int, message: str = "x", **extra: object) -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}


@pytest.mark.parametrize(("status", "body", "kind"), [
    (500, _error(1, "Please reduce the amount of data you're asking for, then retry your request"),
     ReduceDataError),
    (500, _error(1, "An unknown error occurred", error_subcode=99), TransientError),
    (500, _error(2, is_transient=True), TransientError),
    (403, _error(4, is_transient=True), RateLimitError),
    (400, _error(17), RateLimitError),
    (400, _error(32), RateLimitError),
    (400, _error(341), RateLimitError),
    (400, _error(613), RateLimitError),
    (400, _error(80001), RateLimitError),
    (400, _error(80014), RateLimitError),
    (400, _error(190, error_subcode=463), TokenError),
    (400, _error(190, error_subcode=467), TokenError),
    (400, _error(190, error_subcode=492), TokenError),
    (400, _error(102), TokenError),
    (400, _error(104), TokenError),
    (400, _error(190, "(#190) This method must be called with a Page Access Token"), PageTokenRequired),
    (403, _error(10), GraphPermissionError),
    (403, _error(200), GraphPermissionError),
    (400, _error(283), GraphPermissionError),
    (400, _error(100, "Unsupported get request.", error_subcode=33), DeletedObject),
    (400, _error(100, "(#100) The After Cursor specified exceeds the max limit supported by this endpoint"),
     CursorLimit),
    (400, _error(100, "(#100) Tried accessing nonexisting field (x) on node type (Comment)"), GraphAPIError),
    (400, _error(12345, is_transient=True), TransientError),
    (502, None, TransientError),
    (200, None, TransientError),
    (429, None, RateLimitError),
    (404, None, GraphAPIError),
    (500, {"error": "not a dict"}, TransientError),
])
def test_classification(status: int, body: dict | None, kind: type) -> None:
    error = from_body(status, body)
    assert type(error) is kind
    assert error.http_status == status


def test_classification_ignores_http_status_and_type() -> None:
    throttled = from_body(200, {"error": {"code": 32, "message": "(#32) Page request limit reached",
                                          "type": "OAuthException"}})
    assert isinstance(throttled, RateLimitError) and throttled.retryable
    assert not isinstance(from_body(500, _error(190)), TransientError)


def test_attributes() -> None:
    error = from_body(400, _error(190, "Session has expired", error_subcode=463, fbtrace_id="AK5w64sspf_"))
    assert (error.code, error.subcode, error.fbtrace_id, error.is_transient) == (190, 463, "AK5w64sspf_", False)
    assert error.describe() == "code 190/463"


def test_token_message_says_how_to_renew() -> None:
    message = str(from_body(400, _error(190, "Session has expired on Sunday", error_subcode=463)))
    assert "expired" in message and "FACEBOOK_ACCESS_TOKEN" in message
    assert "Prefect Secret block facebook-access-token" in message and "Graph API Explorer" in message


def test_permission_message_names_the_permissions() -> None:
    message = str(from_body(403, _error(10, "(#10) This endpoint requires the 'pages_read_engagement' permission")))
    assert "pages_read_engagement" in message and "pages_read_user_content" in message


def test_secrets_are_masked_in_messages() -> None:
    body = _error(100, "bad url https://graph.facebook.com/x?access_token=EAAGsecret&limit=2 for EAAGsecret")
    message = str(from_body(400, body, secrets=["EAAGsecret"]))
    assert "EAAGsecret" not in message and "access_token=***" in message


def test_mask_url() -> None:
    url = "https://graph.facebook.com/v25.0/1_2/comments?limit=100&access_token=EAAB%7Cx&after=QVFI"
    assert mask_url(url) == "https://graph.facebook.com/v25.0/1_2/comments?limit=100&access_token=***&after=QVFI"
    assert mask_text("appsecret_proof=abc&x=1") == "appsecret_proof=***&x=1"
