"""The planners' report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from transforms.redact import redact
from warehouse import charts
from warehouse.channels import channel_label
from warehouse.place_map import places_section, topic_places_html
from warehouse.presentation import (
    STATUS_DA,
    change_text,
    citizens_word,
    danish_date,
    danish_datetime,
    ideas_word,
    likes_word,
    local_time,
)

TEMPLATE = Template((Path(__file__).parent / "templates" / "report.html").read_text(encoding="utf-8"))
POST_EXCERPT_CHARS = 600
# A staff signature such as "/Anne, Silkeborg Kommune" or "Mvh. Anne" would put a name in the report.
_SIGNATURE = re.compile(r"^\s*(/|mvh\b|venlig hilsen|hilsen\b|kh\b)", re.IGNORECASE)


@dataclass
class ReportData:
    """Everything the report shows about one consultation."""

    slug: str
    title: str
    generated_at: dt.datetime
    overview: dict[str, Any]
    posts: pd.DataFrame  # post_id, message, created_at, permalink_url
    topics: pd.DataFrame  # the topics export frame
    examples: list[list[tuple[str, int]]]  # per topic: (redacted text, likes) of its representative ideas
    ideas: pd.DataFrame  # the ideas export frame
    gone: pd.DataFrame  # topic_id, label, n_ideas of topics the last run no longer has
    places: pd.DataFrame | None = None  # warehouse.places.place_summary
    topic_places: dict[int, list[str]] = field(default_factory=dict)  # topic_id -> places its ideas name
    # topic_id -> its ideas' one channel, when the consultation has several (channels.single_channel_topics)
    single_channel: dict[int, str] = field(default_factory=dict)


def _post_text(message: Any) -> str:
    lines = [ln for ln in str(message or "").splitlines() if not _SIGNATURE.match(ln)]
    text = redact("\n".join(lines).strip())
    return text if len(text) <= POST_EXCERPT_CHARS else text[: POST_EXCERPT_CHARS - 1].rstrip() + "…"


def _about(posts: pd.DataFrame) -> str:
    if posts.empty:
        return ""
    intro = ("Idéindsamlingen bestod af dette opslag" if len(posts) == 1
             else f"Idéindsamlingen bestod af {len(posts)} opslag")
    parts = [f'<p id="about">{intro} på kommunens Facebook-side:</p>']
    for post in posts.itertuples(index=False):
        parts.append(
            f'<blockquote class="post"><span class="post-date">{escape(danish_date(post.created_at))}</span>\n'
            f"{escape(_post_text(post.message))}</blockquote>"
        )
    return "\n".join(parts)


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


def _channel_line(channel: str | None) -> str:
    if channel is None:
        return ""
    return f'<p class="channel-only">Alle idéerne i emnet kom fra én kanal: {escape(channel_label(channel))}.</p>'


def _topic_section(topic: Any, examples: list[tuple[str, int]], places: str = "", channel: str | None = None) -> str:
    status = STATUS_DA.get(topic.status, str(topic.status))
    items = "".join(
        f'<li>{escape(text)} <span class="likes">♥ {likes}</span></li>' for text, likes in examples
    )
    citizens = citizens_word(int(topic.n_authors))
    corrected = ' <span class="badge rettet">rettet af planlægger</span>' if topic.is_corrected else ""
    return (
        f'<article class="topic" id="topic-{int(topic.topic_id)}">'
        f'<div class="topic-head"><h3>{escape(str(topic.label))}</h3>'
        f'<span class="badge {escape(status)}">{escape(status)}</span>{corrected}</div>'
        f'<p class="keywords">Nøgleord: {escape(str(topic.keywords).replace("; ", ", "))}</p>'
        f'<p class="support"><strong>{ideas_word(int(topic.n_ideas))}</strong> fra {citizens} · '
        f"{likes_word(int(topic.total_likes))} · Ændring siden sidste kørsel: "
        f"{escape(change_text(topic.status, topic.n_ideas_previous, int(topic.n_ideas)))}</p>"
        f'{_channel_line(channel)}{places}<ul class="examples">{items}</ul></article>'
    )


def _gone(gone: pd.DataFrame) -> str:
    if gone.empty:
        return ""
    items = "".join(f"<li>{escape(str(g.label))} ({ideas_word(int(g.n_ideas))} sidst)</li>"
                    for g in gone.itertuples(index=False))
    return (
        '<section id="gone" aria-labelledby="gone-h"><h2 id="gone-h">Emner der er forsvundet siden sidste kørsel</h2>'
        '<p class="note">Deres idéer er slettet eller fordelt på andre emner.</p>'
        f'<ul class="note">{items}</ul></section>'
    )


def _quality(overview: dict[str, Any]) -> str:
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
    return "\n    ".join(f"<li>{escape(n)}</li>" for n in notes)


def _time_chart(ideas: pd.DataFrame) -> tuple[str, str]:
    dates = [t.date() for t in (local_time(v) for v in ideas["created_at"]) if t is not None]
    if not dates:
        return '<p class="note">Ingen idéer med dato endnu.</p>', ""
    unit, bins = charts.time_bins(dates)
    return charts.timeline(bins, unit), f"Antal idéer pr. {unit} (dansk tid)."


def _all_ideas(overview: dict[str, Any]) -> str:
    """A fact of its own for the ideas of every channel, when some come from outside Facebook."""
    n_all, n_fb = int(overview.get("n_ideas") or 0), int(overview.get("n_facebook_ideas") or 0)
    if n_all <= n_fb:
        return ""
    return f'<div class="fact"><dt>Idéer i alt (alle kanaler)</dt><dd id="n-all-ideas">{n_all}</dd></div>'


_SECTION = re.compile(r'<section id="([\w-]+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', re.S)
_TOPIC = re.compile(r'<article class="topic" id="(topic-\d+)"><div class="topic-head"><h3>(.*?)</h3>', re.S)
_TOC_MARK = "\x00toc\x00"


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
    overview, topics = data.overview, data.topics
    n_comments, n_fb = int(overview.get("n_comments") or 0), int(overview.get("n_facebook_ideas") or 0)
    share = f"({round(100 * n_fb / n_comments)} %)" if n_comments else ""
    rows = [(str(t.label), int(t.n_ideas), int(t.total_likes)) for t in topics.itertuples(index=False)]
    time_chart, time_legend = _time_chart(data.ideas)
    sections = [_topic_section(t, ex, topic_places_html(data.topic_places.get(int(t.topic_id), [])),
                               data.single_channel.get(int(t.topic_id)))
                for t, ex in zip(topics.itertuples(index=False), data.examples, strict=True)]
    html = TEMPLATE.substitute(
        toc=_TOC_MARK,
        title=escape(data.title),
        slug=escape(data.slug),
        period=escape(_period(overview)),
        generated=escape(_generated(data)),
        n_comments=n_comments,
        n_ideas=n_fb,
        idea_share=share,
        all_ideas=_all_ideas(overview),
        n_authors=int(overview.get("n_idea_authors") or 0),
        n_topics=len(topics),
        about=_about(data.posts),
        topic_chart=charts.topic_bars(rows) if rows else '<p class="note">Ingen emner endnu.</p>',
        time_chart=time_chart,
        time_legend=escape(time_legend),
        topics="\n".join(sections) or '<p class="note">Ingen emner endnu.</p>',
        gone=_gone(data.gone),
        places=places_section(data.places),
        quality=_quality(overview),
    )
    return html.replace(_TOC_MARK, table_of_contents(html), 1)
