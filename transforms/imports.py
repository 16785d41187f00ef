"""Items from other channels (a citizens' meeting's notes, e-mails), from file cells to staging rows (pure).

An imported item gets the idea id `<channel>:<item_id>`: a Facebook comment id never holds a colon, so the two never
collide, and the channel's name is a slug without one, so the id says where the item came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from transforms.errors import UserError
from transforms.pseudonym import author_key
from transforms.redact import redact, redact_names

if TYPE_CHECKING:  # pandas is imported by the functions that build frames: `ingest` loads this module without it
    import pandas as pd

try:
    from zoneinfo import ZoneInfo

    LOCAL = ZoneInfo("Europe/Copenhagen")
except Exception:  # no time zone database on the machine: read dates as UTC rather than fail
    LOCAL = dt.UTC

CHANNEL_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
ITEM_COLUMNS = ["row", "item_id", "text", "created_at", "author_key"]
# An id from an id column: a short code (a row or case number, `2014/17`, `A-3`), so it can be exported as it is.
_ITEM_ID = re.compile(r"^[\w./-]{1,40}$")
_NAME_PART = re.compile(r"[^\W\d_]{2,}")  # a word of an author cell: letters only, two or more
_ADDRESS = re.compile(r"^([^@\s]+)@[^@\s]+$")
# dd-mm-yyyy or dd.mm.yyyy (one separator throughout), optionally with a time: what Danish spreadsheets write.
_DANISH_DATE = re.compile(r"^(\d{1,2})([-.])(\d{1,2})\2(\d{4})(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")


class ImportDataError(UserError, ValueError):
    """An import's argument or row that cannot be used as it is; the message names it and says how to fix it."""


def check_channel(name: str) -> str:
    """The channel's name if it is a short slug other than `facebook` and `instagram` (read from the Graph API)."""
    if name in ("facebook", "instagram"):
        raise ImportDataError(f"the channel {name} is the Graph API's: name the imported channel after where "
                              "the items come from, e.g. --channel borgermoede or --channel email")
    if not CHANNEL_PATTERN.match(name):
        raise ImportDataError(f"bad channel name {name!r}: use a short slug of lower-case letters, digits, - and _ "
                              "(at most 32, starting with a letter), e.g. borgermoede or email")
    return name


def imported_idea_id(channel: str, item_id: str) -> str:
    """The id an imported item has as an idea, in erasures and corrections: `<channel>:<item_id>`."""
    return f"{channel}:{item_id}"


def item_suppression(consultation: str, idea_id: str) -> str:
    """How an erased imported item is kept out of later imports (`core_suppressions`, kind `imported_item`):
    `<consultation>/<channel>:<item_id>`, so erasing `email:1` of one consultation never drops another consultation's
    `email:1`. A value without the consultation (`<channel>:<item_id>`, from before, or for an item that was in no
    consultation when it was erased) keeps that id out of every consultation: a slug holds no `/` nor `:`."""
    return f"{consultation}/{idea_id}"


def imported_author_key(value: Any, salt: bytes) -> str | None:
    """The pseudonym of an author cell (a name or an e-mail address); None for an empty cell.

    Spaces and case are normalised first, so `Mette Hansen` and `mette  hansen ` are one author; the key is the
    same keyed hash as a Facebook author's, so it can only be recomputed with the salt.
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = " ".join(str(value).split()).casefold()
    return author_key(text, salt) if text else None


def parse_date(value: Any) -> dt.datetime | None:
    """A cell as a UTC time: an Excel date, ISO 8601 (`2014-05-12`, `2014-05-12T18:30`, with or without offset) or
    Danish `12-05-2014` / `12.05.2014` (with an optional `18:30`). A time without an offset is Danish local time.
    None for an empty cell; ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        found = _DANISH_DATE.match(text)
        if found:
            day, _, month, year, hour, minute, second = found.groups()
            moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        else:
            moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(dt.UTC)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # an Excel number cell: 17.0 is the id 17
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()


def _dates(cells: pd.DataFrame, column: str | None) -> list[dt.datetime | None]:
    if column is None:
        return [None] * len(cells)
    out = []
    for row, value in zip(cells["row"], cells[column], strict=True):
        try:
            out.append(parse_date(value))
        except (ValueError, TypeError, OverflowError):
            raise ImportDataError(  # the cell is not echoed: a wrong column may hold personal data
                f"row {row}, column {column!r}: cannot read the date: write it as 2014-05-12, "
                "12-05-2014 or 12.05.2014 (optionally with a time, 18:30), or leave the cell empty"
            ) from None
    return out


def content_id(consultation: str, text: str, created_at: dt.datetime | None, author: str | None,
               source: str = "") -> str:
    """A stable id for an item from a file without an id column: a hash of what it says, when and by whom (the
    author's key, not the cell, so the id cannot be checked against a list of names), the consultation, and the
    file's name (`source`): two citizens may write "Flere træer" at two meetings, and each is an item of its own."""
    parts = [consultation, text, created_at.isoformat() if created_at else None, author, source]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _ids(cells: pd.DataFrame, column: str) -> list[str]:
    ids = [_cell_text(v) for v in cells[column]]
    first: dict[str, int] = {}
    for row, item_id in zip(cells["row"], ids, strict=True):
        if not item_id:
            raise ImportDataError(f"row {row} has no id in column {column!r}: fill it in, or leave out --id-column")
        # ids are stored and exported as they are, so only short codes that redaction would leave alone (no name,
        # no e-mail address, phone or CPR number); the cell is never echoed, it may be one of those
        if not _ITEM_ID.match(item_id) or redact(item_id) != item_id:
            raise ImportDataError(
                f"row {row}, column {column!r}: not an id (ids are short codes of letters, digits and . _ - /, at "
                "most 40 characters, no spaces, no phone, e-mail or CPR number): use a row number or case number "
                "column as --id-column, or leave it out"
            )
        if item_id in first:
            raise ImportDataError(f"rows {first[item_id]} and {row} have the same id in column {column!r}: choose a "
                                  "column with a unique value per row, or leave out --id-column")
        first[item_id] = row
    return ids


def author_names(value: Any) -> list[str]:
    """What of an author cell may stand in the item's text as its author's name (an e-mail's signature): the cell and
    each of its words of two or more letters. For an e-mail address, only the pieces of its local part (split on
    `.`, `_` and `-`) of three or more letters: `redact` already takes the address itself, and shorter pieces
    (`mh`, `bo`) are as likely to be common words."""
    cell = " ".join(_cell_text(value).split())
    address = _ADDRESS.match(cell)
    if address:
        return [p for p in re.split(r"[._-]+", address.group(1)) if len(p) >= 3 and _NAME_PART.fullmatch(p)]
    return [cell, *_NAME_PART.findall(cell)] if cell else []


def import_items(cells: pd.DataFrame, *, consultation: str, text_column: str, id_column: str | None = None,
                 date_column: str | None = None, author_column: str | None = None,
                 salt: bytes | None = None, source: str = "") -> tuple[pd.DataFrame, int]:
    """Staging rows (`ITEM_COLUMNS`) from a file's cells (`row` and the named columns), and how many rows were left
    out because their text cell is empty (blank lines between a meeting's notes, say).

    The author cell is replaced by its key here, so it never goes further, and its name is taken out of the item's
    text (`author_names`: "Mvh Mette Hansen" becomes "Mvh [navn]"); ids come from `id_column` (unique, short codes
    without personal data) or else from the content and the file's name `source` (`content_id`), so the same row of
    the same file always gets the same id.
    """
    import pandas as pd

    if id_column and id_column == author_column:
        raise ImportDataError(f"the column {id_column!r} cannot be both the id and the author column: ids are stored "
                              "as they are; use a row number or case number column as --id-column, or leave it out")
    texts = [_cell_text(v) for v in cells[text_column]]
    keep = [bool(t) for t in texts]
    ids = _ids(cells[keep], id_column) if id_column else None
    kept = cells[keep]
    texts = [t for t, k in zip(texts, keep, strict=True) if k]
    dates = _dates(kept, date_column)
    if author_column and not salt:
        raise ImportDataError("no pseudonym salt to key the authors with: set CIVIC_IDEAS_SALT")
    authors = [imported_author_key(v, salt) for v in kept[author_column]] if author_column else [None] * len(kept)
    if author_column:
        texts = [redact_names(t, author_names(v)) for t, v in zip(texts, kept[author_column], strict=True)]
    if ids is None:
        ids = [content_id(consultation, t, d, a, source) for t, d, a in zip(texts, dates, authors, strict=True)]
        ids = _unique_content_ids(ids)
    items = pd.DataFrame(
        {"row": kept["row"].astype(int).to_numpy(), "item_id": ids, "text": texts,
         "created_at": pd.array(dates, dtype="datetime64[us, UTC]"),
         "author_key": pd.Series(authors, dtype=object)},  # None stays None, not NaN
        columns=ITEM_COLUMNS,
    )
    return items, len(cells) - len(kept)


def _unique_content_ids(ids: list[str]) -> list[str]:
    """Identical rows (the same words, time and author: two tables at a meeting wrote the same wish) stay two items:
    the second copy's id gets `-2`, the third `-3`; copies are alike, so a file read twice still gives the same ids."""
    seen: dict[str, int] = {}
    out = []
    for item_id in ids:
        seen[item_id] = seen.get(item_id, 0) + 1
        out.append(item_id if seen[item_id] == 1 else f"{item_id}-{seen[item_id]}")
    return out


def _column(items: pd.DataFrame, name: str, default: Any) -> Any:
    """An optional staged column (a social channel's `like_count`, `parent_id`, ...), its nulls as `default`."""
    if name not in items.columns:
        return default
    values = items[name].astype(object)
    return values.where(values.notna(), default).to_numpy()


def as_comments(items: pd.DataFrame, channel: str) -> pd.DataFrame:
    """A channel's staged items shaped as staged comments for `transforms.select.select_ideas`; `comment_id` is the
    idea id. A file's items are top-level, not from the Page, without tags, likes or replies, never hidden; a social
    channel's (Instagram) carry their parent, likes, replies, mentions (`@[navn]`, as tags), hidden and own flags."""
    import pandas as pd

    ids = [imported_idea_id(channel, str(i)) for i in items["item_id"]]
    parents = _column(items, "parent_id", None)
    replies = pd.Series(parents).value_counts() if parents is not None else pd.Series(dtype=int)
    return pd.DataFrame(
        {
            "comment_id": ids,
            "consultation": items["consultation"].to_numpy(),
            "parent_id": parents,
            "author_key": items["author_key"].to_numpy(),
            "is_page_reply": _column(items, "is_page_reply", False),
            "message": items["text"].to_numpy(),
            "tag_spans": [mention_spans(str(t)) for t in items["text"]],
            "has_attachment": False,
            "created_at": items["created_at"].to_numpy(),
            "like_count": _column(items, "like_count", 0),
            "reply_count": [int(replies.get(i, 0)) for i in ids],
            "is_hidden": _column(items, "is_hidden", False),
        },
        index=items.index,
    )


# -- Instagram comments (issue 21): the channel `instagram`, its items keyed by the comment's id --------------------

INSTAGRAM = "instagram"
# An Instagram username: letters, digits, `.` and `_`, at most 30 characters; written `@name` to mention someone.
_IG_MENTION = re.compile(r"(?<![\w@.])@[\w.]{1,30}(?<!\.)")  # \w: Unicode, so "@Søren_h" goes whole
MENTION = "@[navn]"  # what a mention of another user becomes before the text is stored
_MENTION_SPAN = re.compile(re.escape(MENTION))
SOCIAL_COLUMNS = [*ITEM_COLUMNS[1:], "like_count", "parent_id", "is_hidden", "is_page_reply"]


def instagram_author_key(username: str, salt: bytes) -> str:
    """The pseudonym of an Instagram username (case and a leading `@` do not matter): a keyed hash, in a namespace
    of its own so it never equals a Facebook author's key; `forget --instagram-username` recomputes it."""
    name = username.strip().removeprefix("@").casefold()
    if not name:
        raise ImportDataError("an Instagram username is needed: give it without spaces, e.g. mette.holm")
    return author_key(f"instagram:{name}", salt)


def _ig_time(value: Any) -> dt.datetime | None:
    """An IG `timestamp` (`2014-05-03T08:00:00+0000`) as UTC; None when missing or unreadable."""
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").astimezone(dt.UTC)
    except ValueError:
        return None


def instagram_items(comments: list[dict[str, Any]], *, owner_id: str | None, owner_username: str | None,
                    salt: bytes) -> pd.DataFrame:
    """Staging rows (`SOCIAL_COLUMNS`) from one media's IG comments as the Graph API returns them (pure).

    The username (and `from.id`) is replaced here by its keyed hash, so it goes no further; a mention of another
    user (`@name`) becomes `@[navn]` in the text, so no username is stored in clear. A reply keeps its parent as
    the parent's idea id (`instagram:<id>`); the account's own comments (`from.id` is the owner's, or its username)
    are marked `is_page_reply`, as the Page's are on Facebook."""
    import pandas as pd

    rows = []
    for c in comments:
        user = c.get("from") if isinstance(c.get("from"), dict) else {}
        username = str(c.get("username") or user.get("username") or "").strip()
        own = bool(owner_id and str(user.get("id") or "") == str(owner_id)) or bool(
            owner_username and username.casefold() == owner_username.casefold())
        parent = c.get("parent_id")
        rows.append({
            "item_id": str(c["id"]),
            "text": _IG_MENTION.sub(MENTION, str(c.get("text") or "")),
            "created_at": _ig_time(c.get("timestamp")),
            "author_key": instagram_author_key(username, salt) if username else None,
            "like_count": int(c.get("like_count") or 0),
            "parent_id": imported_idea_id(INSTAGRAM, str(parent)) if parent else None,
            "is_hidden": bool(c.get("hidden")),
            "is_page_reply": own,
        })
    def column(name: str) -> list[Any]:
        return [r[name] for r in rows]

    return pd.DataFrame(
        {"item_id": column("item_id"), "text": column("text"),
         "created_at": pd.array(column("created_at"), dtype="datetime64[us, UTC]"),
         "author_key": pd.Series(column("author_key"), dtype=object),  # None stays None, not NaN
         "like_count": pd.Series(column("like_count"), dtype="int64"),
         "parent_id": pd.Series(column("parent_id"), dtype=object),
         "is_hidden": pd.Series(column("is_hidden"), dtype=bool),
         "is_page_reply": pd.Series(column("is_page_reply"), dtype=bool)},
        columns=SOCIAL_COLUMNS,
    )


def mention_spans(text: str) -> str | None:
    """The tag spans (JSON `[[offset, length], ...]`) of the `@[navn]` mentions in a stored social item's text."""
    spans = [[m.start(), m.end() - m.start()] for m in _MENTION_SPAN.finditer(text or "")]
    return json.dumps(spans) if spans else None
