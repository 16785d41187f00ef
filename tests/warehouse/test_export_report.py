"""report.html in a real browser: headless Chromium loads it from disk, offline, and we check what it renders.

`make test` installs Debian's chromium when it is missing (`make browser`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import exportkit
import pytest
from chromium_cdp import Chromium, find_chromium

from warehouse import export

# What the page shows, read from the rendered DOM (layout included: charts must have a size on screen).
RENDERED = """(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const text = sel => (document.querySelector(sel) || {}).innerText || null;
  return {
    title: document.title,
    h1: text('h1'),
    period: text('#period'),
    generated: text('#generated'),
    facts: [...document.querySelectorAll('.fact dd')].map(e => e.innerText),
    topics: [...document.querySelectorAll('article.topic h3')].map(e => e.innerText),
    badges: [...document.querySelectorAll('article.topic .badge')].map(e => e.innerText),
    examples: [...document.querySelectorAll('article.topic')].map(a => a.querySelectorAll('ul.examples li').length),
    topicBars: document.querySelectorAll('svg.topic-bars rect.bar').length,
    timeBars: document.querySelectorAll('svg.timeline rect.bar').length,
    chartBoxes: [...document.querySelectorAll('svg.chart')].map(box),
    barLabels: [...document.querySelectorAll('svg.topic-bars .topic-label text')].map(e => e.textContent),
    gone: text('#gone'),
    toc: [...document.querySelectorAll('nav.toc a')].map(a => [a.getAttribute('href'), a.innerText,
          !!document.getElementById(a.getAttribute('href').slice(1))]),
    quality: text('#quality'),
    scripts: document.scripts.length,
    external: [...document.querySelectorAll('[src], link[href]')].map(e => e.src || e.href),
  };
})()"""


@pytest.fixture(scope="module")
def chromium_binary() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: run `make browser` (as root) or `apt-get install chromium`")
    return binary


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    con = exportkit.build(root / "wh.duckdb")
    export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                               generated_at=exportkit.GENERATED_AT)
    con.close()
    return root / "exports" / exportkit.SLUG / "report.html"


def test_report_renders_offline_with_topics_and_charts(report: Path, chromium_binary: str, tmp_path: Path) -> None:
    with Chromium(chromium_binary) as browser:
        page = browser.load(report.as_uri())
        seen = browser.evaluate(RENDERED)
        shot = browser.screenshot(tmp_path / "report.png")
    if os.environ.get("CIVIC_IDEAS_SCREENSHOT_DIR"):  # keep the picture for people to look at
        shutil.copy(shot, Path(os.environ["CIVIC_IDEAS_SCREENSHOT_DIR"]) / "report.png")

    assert page.errors == [], f"console errors: {page.errors}"
    assert page.remote_requests == [], f"the report fetched {page.remote_requests}"
    assert seen["scripts"] == 0 and seen["external"] == []
    assert seen["title"] == f"{exportkit.TITLE} – borgernes idéer" and seen["h1"] == exportkit.TITLE
    assert seen["period"] == "Kommentarer fra 2. maj 2014 til 20. maj 2014."
    assert seen["generated"].startswith("Emnerne er beregnet 20. maj 2014 kl. ")
    assert seen["generated"].endswith("; rapporten er lavet 21. maj 2014 kl. 10:30.")  # each moment once
    assert seen["facts"][:2] == ["23", "16 (70 %)"]
    assert seen["topics"] == ["Park og træer", "Legeplads og børn", "Skaterbane og sport", "Andet"]
    assert seen["badges"] == ["voksende", "nyt", "stabilt", "voksende"]  # *et emne*: neuter
    assert seen["examples"] == [5, 4, 3, 2]  # 3-5 where the topic has them
    assert seen["topicBars"] == 2 * 4 and seen["barLabels"] == seen["topics"]
    assert seen["timeBars"] == 19  # one per day from 2 to 20 May
    assert len(seen["chartBoxes"]) == 2 and all(w > 600 and h > 100 for w, h in seen["chartBoxes"])
    assert "Parkering" in seen["gone"]
    # a table of contents: every section, and every topic under Emnerne, each link to an element that exists
    hrefs = [h for h, _, _ in seen["toc"]]
    assert hrefs[:4] == ["#overview", "#chart-topics", "#chart-time", "#topics"] and "#quality" in hrefs
    assert [t for h, t, _ in seen["toc"] if h.startswith("#topic-")] == seen["topics"]
    assert all(found for _, _, found in seen["toc"])
    assert "7 af 23 kommentarer" in seen["quality"] and "2 idéer passede ikke" in seen["quality"]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000


def test_the_browser_check_catches_errors_and_network_use(chromium_binary: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
        '<script>console.error("bad " + 1); undefinedFunction();</script></body></html>',
        encoding="utf-8",
    )
    with Chromium(chromium_binary) as browser:
        page = browser.load(broken.as_uri())
    joined = json.dumps(page.errors)
    assert "bad 1" in joined and "undefinedFunction" in joined
    assert page.remote_requests == ["http://127.0.0.1:9/x.png"]


def _one_or_many(n: int) -> str:
    """A report of one topic in which everything counts ``n``, rendered without a browser."""
    import datetime as dt

    import pandas as pd

    from warehouse.report import ReportData, render_report

    at = pd.Timestamp("2014-05-02 09:00", tz="UTC")
    topics = pd.DataFrame({"topic_id": [1], "label": ["Park"], "keywords": ["park"], "n_ideas": [n],
                           "n_authors": [n], "total_likes": [n], "status": ["new"], "is_corrected": [False],
                           "n_ideas_previous": pd.array([pd.NA], dtype="Int64")})
    overview = {"n_comments": n, "n_commenters": n, "first_comment_at": at, "last_comment_at": at,
                "n_facebook_ideas": n, "n_ideas": n, "n_idea_authors": n, "n_unplaced_ideas": 0,
                "n_ideas_without_topic": 0, "topic_run_at": at, "previous_topic_run_at": None}
    posts = pd.DataFrame({"post_id": ["p"], "message": ["Hvad skal der ske?"], "created_at": [at],
                          "permalink_url": [None]})
    data = ReportData(slug="s", title="T", generated_at=dt.datetime(2014, 5, 2, 9, 0, tzinfo=dt.UTC),
                      overview=overview, posts=posts, topics=topics, examples=[[("Mere park", n, "p_1")]],
                      ideas=pd.DataFrame({"created_at": [at] * n}),
                      gone=pd.DataFrame({"topic_id": [], "label": [], "n_ideas": []}))
    return render_report(data)


def test_danish_grammar_on_one_and_many() -> None:
    one, many = _one_or_many(1), _one_or_many(3)
    assert "<strong>1 idé</strong> fra 1 borger · 1 like ·" in one
    assert "<strong>3 idéer</strong> fra 3 borgere · 3 likes ·" in many
    for html in (one, many):
        assert "1 idéer" not in html and "1 borgere" not in html and "1 likes" not in html
        assert '<span class="badge nyt">nyt</span>' in html  # et nyt emne
        assert "høring" not in html.lower() and "Idéindsamlingen bestod af dette opslag" in html
        # no zero-lines: every comment was an idea, and none was left without a topic
        assert "passede ikke i noget emne" not in html and "var ikke idéer" not in html
        # one timestamp line, each moment once
        assert html.count("2. maj 2014 kl. 11:00") == 1
    assert "Ændring siden sidste kørsel: nyt" in one


def test_status_words_agree_with_emne() -> None:
    from warehouse.presentation import change_text

    assert change_text("new", None, 4) == "nyt"
    assert change_text("stable", 6, 6) == "stabilt: 6 idéer som sidst"
    assert change_text("growing", 1, 2) == "voksende: fra 1 til 2 idéer"
    assert change_text("shrinking", 2, 1) == "faldende: fra 2 til 1 idé"
