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
    assert seen["generated"].startswith("Genereret 21. maj 2014 kl. 10:30; emnerne er beregnet 20. maj 2014")
    assert seen["facts"][:2] == ["23", "16 (70 %)"]
    assert seen["topics"] == ["Park og træer", "Legeplads og børn", "Skaterbane og sport", "Andet"]
    assert seen["badges"] == ["voksende", "ny", "stabil", "voksende"]
    assert seen["examples"] == [5, 4, 3, 2]  # 3-5 where the topic has them
    assert seen["topicBars"] == 2 * 4 and seen["barLabels"] == seen["topics"]
    assert seen["timeBars"] == 19  # one per day from 2 to 20 May
    assert len(seen["chartBoxes"]) == 2 and all(w > 600 and h > 100 for w, h in seen["chartBoxes"])
    assert "Parkering" in seen["gone"]
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
