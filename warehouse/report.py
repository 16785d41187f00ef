"""The planners' report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched).

Rendered from the Jinja2 template warehouse/templates/report.html.j2 with autoescaping on: this module hands the
template plain values (text, numbers, lists of dicts), so a new field is escaped without anyone remembering to. The
only markup handed over is the charts' and the map's inline SVG (`warehouse.charts`, `warehouse.place_map`, which
escape their own text) and the table of contents, made from the rendered page.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup

from transforms.select import redacted_text
from warehouse import charts
from warehouse.channels import SOCIAL_DA, channel_label
from warehouse.place_map import map_svg, places_rows
from warehouse.presentation import (
    STATUS_DA,
    TEMPLATES,
    change_text,
    citizens_word,
    danish_date,
    danish_datetime,
    ideas_word,
    likes_word,
    local_time,
)

if TYPE_CHECKING:
    import duckdb

POST_EXCERPT_CHARS = 600
PARENT_EXCERPT_CHARS = 280
MARKER_TITLE_CHARS = 80
# A staff signature such as "/Anne, Silkeborg Kommune" or "Mvh. Anne" would put a name in the report.
_SIGNATURE = re.compile(r"^\s*(/|mvh\b|venlig hilsen|hilsen\b|kh\b)", re.IGNORECASE)
# ... or at the end of the Page's one-line reply: "Tak for din idé! /Anne, Silkeborg Kommune"
_TRAILING_SIGNATURE = re.compile(r"\s+/\s*(\[navn\]|[A-ZÆØÅ])[^/\n]{0,60}$", re.MULTILINE)
# Only links to Facebook itself, written plainly: no other host, scheme, user info, port, space, quote or bracket.
_FACEBOOK_URL = re.compile(r"https://(www\.)?facebook\.com/[A-Za-z0-9\-._~/?#\[\]@!$&()*+,;=%:]*")


@dataclass
class ReportData:
    """Everything the report shows about one consultation."""

    slug: str
    title: str
    generated_at: dt.datetime
    overview: dict[str, Any]
    posts: pd.DataFrame  # post_id, message, created_at, permalink_url
    topics: pd.DataFrame  # the topics export frame
    examples: list[list[tuple[str, int, str]]]  # per topic: (redacted text, likes, idea_id) of its example ideas
    ideas: pd.DataFrame  # the ideas export frame
    gone: pd.DataFrame  # topic_id, label, n_ideas of topics the last run no longer has
    places: pd.DataFrame | None = None  # warehouse.places.place_summary
    topic_places: dict[int, list[str]] = field(default_factory=dict)  # topic_id -> places its ideas name
    # topic_id -> its ideas' one channel, when the consultation has several (channels.single_channel_topics)
    single_channel: dict[int, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # idea_id -> the comment's permalink (queries.idea_links)
    replies: pd.DataFrame | None = None  # the comments that example replies answer (queries.reply_parents)
    sources: pd.DataFrame | None = None  # channel, source, first_at per imported source (imported_sources)


def facebook_url(url: Any) -> str | None:
    """``url`` when it is a plain https link to www.facebook.com or facebook.com, else None (dropped)."""
    return url if isinstance(url, str) and _FACEBOOK_URL.fullmatch(url) else None


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _page_text(message: Any, tag_spans: Any = None, limit: int = POST_EXCERPT_CHARS, *, by_page: bool = True) -> str:
    """The Page's or a citizen's text as the report shows it: redacted, the Page's signatures dropped, shortened."""
    text = redacted_text(message, tag_spans)  # first, while the tag spans' offsets still fit the text
    if by_page:
        text = _TRAILING_SIGNATURE.sub("", "\n".join(ln for ln in text.splitlines() if not _SIGNATURE.match(ln)))
    return _excerpt(text.strip(), limit)


def _posts(posts: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"date": danish_date(p.created_at), "text": _page_text(p.message), "link": facebook_url(p.permalink_url)}
            for p in posts.itertuples(index=False)]


def _about(posts: pd.DataFrame) -> str:
    return ("Idéindsamlingen bestod af dette opslag" if len(posts) == 1
            else f"Idéindsamlingen bestod af {len(posts)} opslag")


def _period(overview: dict[str, Any]) -> str:
    first, last = overview.get("first_comment_at"), overview.get("last_comment_at")
    if first is None or pd.isna(first):
        if int(overview.get("n_ideas") or 0):  # a consultation of imported items only (a meeting, e-mails)
            return "Ingen kommentarer på Facebook endnu; idéerne kommer fra andre kanaler."
        return "Ingen kommentarer endnu."
    return f"Kommentarer fra {danish_date(first)} til {danish_date(last)}."


def _generated(data: ReportData) -> str:
    """One line with each moment once: when the topics were computed (and the run they are compared with), and when
    the report was made, if that was at another minute."""
    made = danish_datetime(data.generated_at)
    run_at = data.overview.get("topic_run_at")
    if run_at is None or pd.isna(run_at):
        return f"Lavet {made}."
    text = f"Emnerne er beregnet {danish_datetime(run_at)}"
    previous = data.overview.get("previous_topic_run_at")
    if previous is not None and not pd.isna(previous):
        text += f" og sammenlignet med kørslen {danish_datetime(previous)}"
    return text + ("." if danish_datetime(run_at) == made else f"; rapporten er lavet {made}.")


def _parents(replies: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """idea_id -> how the report introduces the comment a reply answers, and that comment's redacted text."""
    out: dict[str, dict[str, str]] = {}
    for r in (replies if replies is not None else pd.DataFrame()).itertuples(index=False):
        if not bool(r.parent_visible):
            out[str(r.idea_id)] = {"reply": "Svar på en kommentar, der ikke længere er synlig.", "parent": ""}
            continue
        who = "kommunens kommentar" if bool(r.parent_is_page) else "en kommentar"
        out[str(r.idea_id)] = {"reply": f"Svar på {who}:",
                               "parent": _page_text(r.parent_message, r.parent_tag_spans, PARENT_EXCERPT_CHARS,
                                                    by_page=bool(r.parent_is_page))}
    return out


def _example(text: str, likes: int, idea_id: str, data: ReportData, parents: dict[str, dict[str, str]]) -> dict:
    parent = parents.get(str(idea_id), {"reply": "", "parent": ""})
    return {"text": text, "likes": int(likes), "link": facebook_url(data.links.get(str(idea_id))), **parent}


def _topics(data: ReportData) -> list[dict[str, Any]]:
    parents = _parents(data.replies)
    out = []
    for t, examples in zip(data.topics.itertuples(index=False), data.examples, strict=True):
        topic_id = int(t.topic_id)
        channel = data.single_channel.get(topic_id)
        out.append({
            "id": topic_id, "label": str(t.label), "status": STATUS_DA.get(t.status, str(t.status)),
            "corrected": bool(t.is_corrected), "keywords": str(t.keywords).replace("; ", ", "),
            "ideas": ideas_word(int(t.n_ideas)), "citizens": citizens_word(int(t.n_authors)),
            "likes": likes_word(int(t.total_likes)),
            "change": change_text(t.status, t.n_ideas_previous, int(t.n_ideas)),
            "channel": channel_label(channel) if channel is not None else "",
            "places": ", ".join(data.topic_places.get(topic_id, [])),
            "examples": [_example(text, likes, idea_id, data, parents) for text, likes, idea_id in examples],
        })
    return out


def _quality(overview: dict[str, Any]) -> list[str]:
    n_comments, n_fb = int(overview.get("n_comments") or 0), int(overview.get("n_facebook_ideas") or 0)
    notes = []  # a line only for what there is: never "0 idéer passede ikke i noget emne"
    if n_comments > n_fb:
        not_ideas = "var ikke en idé" if n_comments - n_fb == 1 else "var ikke idéer"
        notes.append(f"{n_comments - n_fb} af {n_comments} {'kommentar' if n_comments == 1 else 'kommentarer'} fra "
                     f"borgere {not_ideas} (fx tak, spørgsmål, tags af venner, enighed eller klager uden et forslag). "
                     "De tæller ikke med i emnerne.")
    n_unplaced = int(overview.get("n_unplaced_ideas") or 0)
    if n_unplaced:
        notes.append(f"{ideas_word(n_unplaced)} passede ikke i noget emne og står under \u201cAndet\u201d.")
    if overview.get("n_ideas_without_topic"):
        notes.append(f"{ideas_word(int(overview['n_ideas_without_topic']))} er kommet til efter den seneste "
                     "emneberegning og har endnu intet emne.")
    if int(overview.get("n_ideas") or 0) > n_fb:
        notes.append(f"{ideas_word(int(overview['n_ideas']) - n_fb)} kommer fra andre kanaler end Facebook.")
    notes.append("Emner og idéer er fundet automatisk. Læs eksemplerne, før I drager konklusioner; planlæggere kan "
                 "omdøbe, slå sammen og flytte emner, og rettelserne holder ved næste kørsel.")
    return notes


def post_markers(posts: pd.DataFrame) -> list[charts.Marker]:
    """A timeline marker per post: `Opslag` (`Opslag 1`, `Opslag 2`, … when there are several), its date and the
    start of its text as the tooltip."""
    out = []
    for n, post in enumerate(posts.itertuples(index=False), start=1):
        at = local_time(post.created_at)
        if at is None:
            continue
        label = "Opslag" if len(posts) == 1 else f"Opslag {n}"
        out.append(charts.Marker(at, label, f"{label}, {danish_date(at.date())}: "
                                            f"{_page_text(post.message, limit=MARKER_TITLE_CHARS)}"))
    return out


def imported_sources(con: duckdb.DuckDBPyConnection, consultation: str) -> pd.DataFrame:
    """Each source of the consultation's imported items (a file, an Instagram media; view `channel_comments`): its
    channel, its name and when its first item was written. No item's text or author."""
    return con.execute(
        """select channel, source, min(created_at) as first_at from channel_comments
           where consultation = $c and created_at is not null
           group by channel, source order by first_at, channel, source""", {"c": consultation}).df()


def source_markers(sources: pd.DataFrame | None) -> list[charts.Marker]:
    """A timeline marker per imported source at its first item: the channel as planners read it (`Borgermøde`;
    `Borgermøde 1`, `Borgermøde 2`, … when a channel has several sources), and as the tooltip the date and the
    file's name (redacted as a comment would be) or, for an Instagram media, what it is."""
    if sources is None or sources.empty:
        return []
    per_channel = sources["channel"].value_counts()
    seen: dict[str, int] = {}
    out = []
    for row in sources.itertuples(index=False):
        at = local_time(row.first_at)
        if at is None:
            continue
        channel = str(row.channel)
        seen[channel] = seen.get(channel, 0) + 1
        label = channel_label(channel) + (f" {seen[channel]}" if per_channel[channel] > 1 else "")
        name = (f"opslag på {channel_label(channel)}" if channel in SOCIAL_DA
                else f"importeret fil {_excerpt(redacted_text(row.source, None), MARKER_TITLE_CHARS)}")
        out.append(charts.Marker(at, label, f"{label}, {danish_date(at.date())}: {name}", kind="source"))
    return out


def _time_legend(unit: str, posts: list[charts.Marker], sources: list[charts.Marker]) -> str:
    legend = f"Antal idéer pr. {unit} (dansk tid)."
    if posts:
        legend += (" Den stiplede linje er kommunens opslag." if len(posts) == 1 else
                   " De stiplede linjer er kommunens opslag: "
                   + "; ".join(f"{m.label.removeprefix('Opslag ')}: {danish_date(m.at.date())}" for m in posts) + ".")
    if sources:
        legend += (" Den prikkede linje er det første indlæg fra en importeret kilde: " if len(sources) == 1 else
                   " De prikkede linjer er det første indlæg fra hver importeret kilde: ")
        legend += "; ".join(m.title for m in sources) + "."
    return legend


def _time_charts(ideas: pd.DataFrame, posts: pd.DataFrame, sources: pd.DataFrame | None = None) -> dict[str, Any]:
    dates = [t.date() for t in (local_time(v) for v in ideas["created_at"]) if t is not None]
    if not dates:
        return {"time_chart": "", "time_chart_phone": "", "time_legend": ""}
    by_post, by_source = post_markers(posts), source_markers(sources)
    # a source marks where its items began, within the ideas' and posts' time: a typo in a date cell of a row that is
    # no idea ("0214-05-12") must not stretch the axis over centuries
    first, last = min([*dates, *(m.at.date() for m in by_post)]), max([*dates, *(m.at.date() for m in by_post)])
    by_source = [m for m in by_source if first <= m.at.date() <= last]
    markers = sorted([*by_post, *by_source], key=lambda m: m.at)
    unit, bins = charts.time_bins(dates, [m.at.date() for m in markers])
    legend = _time_legend(unit, by_post, by_source)
    return {
        "time_chart": charts.timeline(bins, unit, markers),
        "time_chart_phone": charts.timeline(bins, unit, markers, width=charts.PHONE_WIDTH, font=charts.PHONE_FONT,
                                            max_ticks=4, phone=True),
        "time_legend": legend,
    }


def _facts(overview: dict[str, Any], n_topics: int) -> dict[str, Any]:
    n_comments, n_fb = int(overview.get("n_comments") or 0), int(overview.get("n_facebook_ideas") or 0)
    n_all = int(overview.get("n_ideas") or 0)
    return {
        "n_comments": n_comments, "n_ideas": n_fb,
        "idea_share": f"({round(100 * n_fb / n_comments)} %)" if n_comments else "",
        "n_all_ideas": n_all if n_all > n_fb else None,  # a fact of its own when some come from outside Facebook
        "n_authors": int(overview.get("n_idea_authors") or 0), "n_topics": n_topics,
    }


_SECTION = re.compile(r'<section id="([\w-]+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', re.S)
_TOPIC = re.compile(r'<article class="topic" id="(topic-\d+)"><div class="topic-head"><h3>(.*?)</h3>', re.S)


def table_of_contents(html: str) -> str:
    """A contents list linking to every section of the report (and, under Emnerne, every topic), read from the
    rendered sections, so a section added later is listed too. Titles are already escaped in ``html``."""
    items = []
    for section_id, title in _SECTION.findall(html):
        sub = ""
        if section_id == "topics":
            topics = "".join(f'<li><a href="#{t}">{label}</a></li>' for t, label in _TOPIC.findall(html))
            sub = f"<ol>{topics}</ol>" if topics else ""
        items.append(f'<li><a href="#{section_id}">{title}</a>{sub}</li>')
    return f'<nav class="toc" id="toc" aria-label="Indhold"><strong>Indhold</strong><ol>{"".join(items)}</ol></nav>'


def render_report(data: ReportData) -> str:
    """The whole report as one HTML string."""
    rows = [(str(t.label), int(t.n_ideas), int(t.total_likes)) for t in data.topics.itertuples(index=False)]
    places = places_rows(data.places)
    mark = f"\x00toc-{secrets.token_hex(8)}\x00"  # where the contents go, once the sections are rendered
    html = TEMPLATES.get_template("report.html.j2").render(
        toc=Markup(mark),
        title=data.title,
        slug=data.slug,
        period=_period(data.overview),
        generated=_generated(data),
        facts=_facts(data.overview, len(data.topics)),
        about=_about(data.posts),
        posts=_posts(data.posts),
        topic_chart=charts.topic_bars(rows) if rows else "",
        topic_chart_phone=charts.topic_bars_phone(rows) if rows else "",
        **_time_charts(data.ideas, data.posts, data.sources),
        topics=_topics(data),
        gone=[{"label": str(g.label), "ideas": ideas_word(int(g.n_ideas))} for g in data.gone.itertuples(index=False)],
        places=places,
        places_map=map_svg(data.places) if places else "",
        quality=_quality(data.overview),
    )
    return html.replace(mark, table_of_contents(html), 1)
