"""Hostile text cannot script the report: a comment, the comment a reply answers, a planner's topic label (`topics
rename`), a theme label (stored by a guided topic run), a post's message and stored permalinks carry markup, event
handlers, `javascript:` URLs and Jinja syntax; the rendered HTML, parsed, has no script, no handler and no unsafe
link, the text is shown as text, and headless Chromium runs nothing."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import exportkit
import pytest
from chromium_cdp import Chromium, find_chromium

from warehouse import corrections, db, export, load
from warehouse.report import facebook_url

CID = {n: f"10152398154407346_{n:04d}" for n in range(1, 25)}
ATTACK = ('<script>window.pwned=1;console.error("pwned")</script>'
          '"><img src=x onerror="window.pwned=2;console.error(\'pwned\')">'
          "<a href=\"javascript:window.pwned=3\">klik</a>{{ 7*7 }}{% if true %}jinja{% endif %}")
COMMENT = "Park med " + ATTACK
PARENT = "Hvornår? " + ATTACK
RENAMED = "Leg " + ATTACK  # topics rename 3 ...
THEME = "Skate " + ATTACK  # the label of topic 2, as a guided run with this theme stores it
POST = "Husk det! " + ATTACK
LINKS = {1: "javascript:window.pwned=4", 8: 'https://www.facebook.com/x" onmouseover="window.pwned=5',
         3: "https://www.facebook.com/ok?comment_id=3"}
FILES = {"./motorvej.xlsx", "ideas.csv", "README.md"}  # the export's own files the footer links to


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    path = root / "wh.duckdb"
    labels = dict(exportkit.LABELS)
    exportkit.LABELS[2] = THEME
    try:
        con = exportkit.build(path)
    finally:
        exportkit.LABELS.clear()
        exportkit.LABELS.update(labels)
    con.execute("update core_ideas set text = $t where idea_id = $i", {"t": COMMENT, "i": CID[1]})
    con.execute("update stg_comments set parent_id = $p where comment_id = $c", {"p": CID[21], "c": CID[3]})
    con.execute("update stg_comments set message = $m where comment_id = $c", {"m": PARENT, "c": CID[21]})
    for n, url in LINKS.items():
        con.execute("update stg_comments set permalink_url = $u where comment_id = $c", {"u": url, "c": CID[n]})
    load.save_post(con, {"id": f"{exportkit.PAGE_ID}_1", "created_time": "2014-05-12T07:00:00+0000",
                         "message": POST, "permalink_url": "javascript:window.pwned=6"},
                   exportkit.SLUG, exportkit.RUN_2_AT)
    # the planner's correction, as `civic-ideas topics rename 3 LABEL --apply` makes it
    slug = corrections.check_correction(con, None, "rename", topic_id=3, label=RENAMED)
    load.add_correction(con, slug, "rename", created_by="test", now=dt.datetime.now(dt.UTC), topic_id=3, label=RENAMED)
    con.close()
    with db.session(path) as con:
        corrections.reapply(con, slug)
        export.export_consultation(con, slug, root / "exports", title=exportkit.TITLE,
                                   generated_at=exportkit.GENERATED_AT)
    return root / "exports" / exportkit.SLUG / "report.html"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text += data


def test_hostile_text_stays_text_in_the_parsed_html(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assert "script" not in page.tags and not {"img", "iframe", "object", "embed", "form"} & set(page.tags)
    assert [a for a in page.attrs if a[1].startswith("on")] == []
    hrefs = [v for _, k, v in page.attrs if k in ("href", "src", "xlink:href", "action")]
    unsafe = [h for h in hrefs if not (h.startswith("#") or h in FILES or facebook_url(h))]
    assert unsafe == []
    assert not any("javascript" in v.lower() for _, _, v in page.attrs)
    # every hostile text is on the page as the text it is (Jinja syntax not evaluated), where it belongs
    for text in (COMMENT, PARENT, RENAMED, THEME, POST):
        assert text in page.text, text
    assert "{{ 7*7 }}{% if true %}jinja{% endif %}" in page.text and "49" not in page.text
    assert f"<h3>{RENAMED}</h3>" not in html and "&lt;script&gt;" in html
    # the first post's link and the one good comment link of the three stored; none from the hostile post
    fb = "https://www.facebook.com/silkeborgkommune/posts/10152398154407346"
    assert [v for t, k, v in page.attrs if t == "a" and k == "href" and "facebook" in v] == [fb, LINKS[3]]


def test_hostile_text_runs_nothing_in_chromium(report: Path) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: run `make browser` (as root) or `apt-get install chromium`")
    with Chromium(binary) as browser:
        run = browser.load(report.as_uri())
        seen = browser.evaluate("""({pwned: window.pwned === undefined ? null : window.pwned,
            title: document.title, scripts: document.scripts.length, imgs: document.images.length,
            js: [...document.querySelectorAll('a')].filter(a => a.protocol === 'javascript:').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
                a => a.name.startsWith('on'))).length,
            toc: [...document.querySelectorAll('nav.toc a')].map(a => a.textContent)})""")
        for text in ("Leg <script>", "Skate <script>"):  # hover and click through the hostile labels' TOC links
            browser.evaluate(f"""(() => {{ const a = [...document.querySelectorAll('nav.toc a')]
                .find(a => a.textContent.startsWith({text!r})); a.click();
                a.dispatchEvent(new MouseEvent('mouseover')); return true; }})()""")
        after = browser.evaluate("window.pwned === undefined ? null : window.pwned")
    assert run.errors == [] and run.remote_requests == []
    assert seen["pwned"] is None and after is None
    assert seen["title"] == f"{exportkit.TITLE} – borgernes idéer"
    assert seen["scripts"] == 0 and seen["imgs"] == 0 and seen["js"] == 0 and seen["handlers"] == 0
    assert RENAMED in seen["toc"] and THEME in seen["toc"]
