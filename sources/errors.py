"""The Graph API exception family, classified by error `code` / `error_subcode` / `is_transient`.

Never by HTTP status or `type` (nearly everything is `OAuthException`), as the Graph API's error-handling guide
advises. Messages are built from the response body, never from the
request URL, and any secret is masked, so they are safe to log and to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

import requests

from sources.usage import parse_usage
from transforms.errors import UserError

RENEW_HINT = (
    "Create a new Page access token in Meta Business Suite / Graph API Explorer and store it in "
    "FACEBOOK_ACCESS_TOKEN or the Prefect Secret block facebook-access-token."
)
READ_PERMISSIONS = ("pages_read_engagement", "pages_read_user_content")
PAGE_ACCESS_HINT = (
    "Use a Page access token (not a User token) of the configured Page, made by someone who can do the MODERATE "
    "task on the Page, for an app with the permissions pages_read_engagement and pages_read_user_content; store "
    "it in FACEBOOK_ACCESS_TOKEN or the Prefect Secret block facebook-access-token."
)
APP_SECRET_HINT = (
    "set FACEBOOK_APP_SECRET (or the Prefect Secret block facebook-app-secret) to the app's secret, "
    "from the App Dashboard (Settings > Basic)"
)
_PERMISSION_NAME = re.compile(r"\b(pages_[a-z_]+|business_management|read_insights|public_profile)\b")
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 368, 613, *range(80000, 80015)})
_TOKEN_REASONS = {
    463: "it has expired",
    467: "it is no longer valid (the user logged out)",
    460: "it was invalidated (the user changed their password)",
    458: "the app is not installed for the user who made it",
    459: "the user who made it is checkpointed",
    464: "the user who made it is unconfirmed",
    492: "the user who made it no longer has a role on the Page",
}
_SECRET_PARAM = re.compile(r"(?i)\b(access_token|appsecret_proof|client_secret)=[^&\s\"'#]*")


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with `access_token=…` values and the given secrets replaced by `***`."""
    text = _SECRET_PARAM.sub(r"\1=***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class GraphAPIError(UserError):
    """A Graph API call failed; `.code`, `.subcode`, `.fbtrace_id`, `.is_transient`, `.http_status`."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, code: int | None = None, subcode: int | None = None,
                 fbtrace_id: str | None = None, is_transient: bool = False, http_status: int | None = None,
                 graph_message: str = "", retry_after: float = 0.0, not_transient: bool = False) -> None:
        super().__init__(message)
        self.not_transient = not_transient  # the body said `is_transient: false`: do not repeat the same request
        self.code = code
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.http_status = http_status
        self.graph_message = graph_message
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response: requests.Response, *, secrets: Iterable[str] = ()) -> GraphAPIError:
        """Build the right subclass from an error response's body (JSON or not) and usage headers."""
        try:
            body = response.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep for `json`
            body = None
        regain = parse_usage(response.headers).regain_seconds
        content_type = response.headers.get("Content-Type", "")
        return from_body(response.status_code, body, content_type=content_type, secrets=secrets,
                         retry_after=regain)

    def describe(self) -> str:
        """A short tag for logs: `code 190/463` or `HTTP 502`."""
        if self.code is None:
            return f"HTTP {self.http_status}" if self.http_status else type(self).__name__
        return f"code {self.code}" + (f"/{self.subcode}" if self.subcode is not None else "")


class TokenError(GraphAPIError):
    """The access token is missing, invalid or expired (190, 102, 104): renew it; retrying will not help."""


class PageTokenRequired(TokenError):
    """`(#190) This method must be called with a Page Access Token`: seen now and then with a good Page
    token, so it is retried a few times before it is believed."""

    retryable = True


class AppSecretProofError(TokenError):
    """The app requires `appsecret_proof` (or the one sent is wrong): set FACEBOOK_APP_SECRET."""


class GraphPermissionError(GraphAPIError):
    """The token lacks a permission (10, 200–299, or a 190 about a permission); the message names it."""


PermissionError_ = GraphPermissionError


class PageAccessError(GraphPermissionError):
    """Comments came without `id`, or without any author: not a Page token, or no MODERATE task on the Page."""


class NotAPageToken(TokenError):
    """The token is not a Page access token of the configured Page (checked with `GET /me` at the start)."""


class UntrustedNextURL(GraphAPIError):
    """`paging.next` points at another host than the configured Graph API: it is not followed (it would get the
    token)."""


class RateLimitError(GraphAPIError):
    """A rate limit was hit (4, 17, 32, 341, 368, 613, 80000–80014); wait `retry_after` seconds when known."""

    retryable = True


class TransientError(GraphAPIError):
    """A temporary failure (1, 2, is_transient, HTML/non-JSON answers, connection errors, timeouts)."""

    retryable = True


class ReduceDataError(TransientError):
    """Code 1 "Please reduce the amount of data you're asking for": retry with a smaller `limit`."""


class DeletedObject(GraphAPIError):
    """100/33: the object does not exist (deleted) or cannot be loaded."""


class CursorLimit(GraphAPIError):
    """100 about the `after` cursor (past the endpoint's cursor limit, or gone stale): the walk ends short."""


def _suffix(code: int | None, subcode: int | None, fbtrace_id: str | None, status: int | None) -> str:
    parts = [f"code {code}" + (f"/{subcode}" if subcode is not None else "")] if code is not None else []
    parts += [f"HTTP {status}"] if status else []
    parts += [f"fbtrace_id {fbtrace_id}"] if fbtrace_id else []
    return f" [{', '.join(parts)}]" if parts else ""


def _classify(code: int | None, subcode: int | None, message: str, transient: bool) -> type[GraphAPIError]:
    lowered = message.lower()
    if code == 190 and "must be called with a page access token" in lowered:
        return PageTokenRequired
    if "appsecret_proof" in lowered:
        return AppSecretProofError
    if code == 190 and subcode is None and "permission" in lowered:  # a missing permission, not a bad token
        return GraphPermissionError
    if code in (102, 104, 190):
        return TokenError
    if code == 10 or (code is not None and 200 <= code <= 299):
        return GraphPermissionError
    if code in RATE_LIMIT_CODES:
        return RateLimitError
    if code == 1 and "reduce the amount of data" in lowered:
        return ReduceDataError
    if code == 100 and subcode == 33:
        return DeletedObject
    if code == 100 and "cursor" in lowered:
        return CursorLimit
    if code in (1, 2) or transient:
        return TransientError
    return GraphAPIError


def _message(kind: type[GraphAPIError], code: int | None, subcode: int | None, text: str) -> str:
    if kind is AppSecretProofError:
        return f"The Facebook app requires a valid appsecret_proof ({text}): {APP_SECRET_HINT}."
    if issubclass(kind, TokenError):
        reason = "no token was sent" if code == 104 else _TOKEN_REASONS.get(subcode or 0, "it is invalid")
        if kind is PageTokenRequired:
            reason = "a Page access token is required"
        return f"The Facebook access token was rejected: {reason} ({text}). {RENEW_HINT}"
    if kind is GraphPermissionError:
        named = sorted(set(_PERMISSION_NAME.findall(text))) or list(READ_PERMISSIONS)
        return (f"The Facebook access token lacks a permission ({', '.join(named)}): {text}. Reading a Page's "
                f"comments needs {' and '.join(READ_PERMISSIONS)} on a Page access token. {RENEW_HINT}")
    if kind is DeletedObject:
        return f"The object does not exist or was deleted: {text}"
    return f"Graph API error: {text}"


def from_body(status: int | None, body: Any, *, content_type: str = "", secrets: Iterable[str] = (),
              retry_after: float = 0.0) -> GraphAPIError:
    """Classify an error body (a dict with `error`, or anything else for non-JSON answers)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        kind: type[GraphAPIError] = TransientError
        if status is not None and 400 <= status < 500:
            kind = RateLimitError if status == 429 else GraphAPIError
        what = content_type.split(";")[0] or "no content type"
        return kind(f"Graph API answered HTTP {status} without a JSON error body ({what})",
                    http_status=status, retry_after=retry_after)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    text = mask_text(str(error.get("message") or "no message"), secrets)
    transient = error.get("is_transient") is True
    not_transient = error.get("is_transient") is False
    trace = error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None
    kind = _classify(code, subcode, text, transient)
    if not_transient and kind is TransientError:  # the API says repeating the request will not help: believe it
        kind = GraphAPIError
    message = _message(kind, code, subcode, text) + _suffix(code, subcode, trace, status)
    return kind(message, code=code, subcode=subcode, fbtrace_id=trace, is_transient=transient,
                http_status=status, graph_message=text, retry_after=retry_after, not_transient=not_transient)
