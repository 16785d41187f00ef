"""The report reads right (issue 19 #3): replies under the comment they answer, a link to each example on Facebook
(and only to Facebook), the consultation's posts on the timeline, and charts legible on a 400 px phone.

A real warehouse (the export kit's consultation) with a few changes a real Page would have: replies among the ideas,
stored permalinks (good and bad), a reminder post, places; rendered by the real export and, for layout, in headless
Chromium.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import exportkit
import pytest
from chromium_cdp import Chromium, find_chromium

from flows.pipeline import tag_places
from flows.settings import Consultation
from warehouse import charts, db, export, load

CID = {n: f"10152398154407346_{n:04d}" for n in range(1, 25)}
GOOD_LINKS = {  # idea number -> a permalink the report shows
    1: "https://www.facebook.com/silkeborgkommune/posts/10152398154407346?comment_id=10152398154400001",
    3: "https://facebook.com/silkeborgkommune/posts/10152398154407346?comment_id=10152398154400003",
}
BAD_LINKS = {  # idea number -> a stored link the report must drop
    8: "https://m.facebook.com/silkeborgkommune/posts/1?comment_id=8",
    12: "https://www.facebook.com.evil.example/silkeborgkommune/posts/1",
    14: 'https://www.facebook.com/x" onclick="alert(1)',
    16: "https://evil.example/?u=https://www.facebook.com/",
    2: "https://facebook.com@evil.example/x",
}
REMINDER_AT = "2014-05-12T07:00:00+0000"  # 12 May, 09:00 Danish time
PLACES = {1: "Hvad med en stor park i Kjellerup med træer og bænke? Them-området mangler også en",
          17: "Børnene i Sorring mangler en legeplads, gerne med gynger"}


def _world(root: Path) -> Path:
    path = root / "wh.duckdb"
    con = exportkit.build(path)
    # 3 answers a citizen's question; 8 answers the Page's reply (signed by a member of staff); 12 answers a comment
    # deleted since
    for idea, parent in ((3, 21), (8, 24), (12, 11)):
        con.execute("update stg_comments set parent_id = $p where comment_id = $c", {"p": CID[parent], "c": CID[idea]})
    con.execute("update stg_comments set deleted_at = $t where comment_id = $c",
                {"t": dt.datetime(2014, 5, 19, tzinfo=dt.UTC), "c": CID[11]})
    for n, url in {**GOOD_LINKS, **BAD_LINKS}.items():
        con.execute("update stg_comments set permalink_url = $u where comment_id = $c", {"u": url, "c": CID[n]})
    for n, text in PLACES.items():
        con.execute("update core_ideas set text = $t where idea_id = $i", {"t": text, "i": CID[n]})
    load.save_post(con, {"id": f"{exportkit.PAGE_ID}_10152398154409999", "created_time": REMINDER_AT,
                         "message": "Husk at give din idé til overdækningen! Der er en uge endnu.\n/Anne",
                         "permalink_url": "https://www.facebook.com/silkeborgkommune/posts/10152398154409999"},
                   exportkit.SLUG, exportkit.RUN_2_AT)
    con.close()
    consultation = Consultation(slug=exportkit.SLUG, title=exportkit.TITLE, post_ids=[exportkit.POST_ID])
    assert tag_places(str(path), consultation) > 0
    with db.session(path) as con:
        export.export_consultation(con, exportkit.SLUG, root / "exports", title=exportkit.TITLE,
                                   generated_at=exportkit.GENERATED_AT)
    return root / "exports" / exportkit.SLUG / "report.html"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _world(tmp_path_factory.mktemp("reads"))


class _Examples(HTMLParser):
    """Each example of the topic cards: its text, the replied-to comment shown above it, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict] = []
        self._in_list = self._in_parent = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "ul" and a.get("class") == "examples":
            self._in_list = True
        elif tag == "li" and self._in_list:
            self.items.append({"text": "", "parent": "", "links": []})
        elif tag == "span" and a.get("class") == "parent" and self.items:
            self._in_parent = True
        elif tag == "a" and self._in_list and self.items:
            self.items[-1]["links"].append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self._in_list = False
        elif tag == "span":
            self._in_parent = False

    def handle_data(self, data: str) -> None:
        if self._in_list and self.items:
            self.items[-1]["parent" if self._in_parent else "text"] += data


def _examples(html: str) -> dict[str, dict]:
    parser = _Examples()
    parser.feed(html)
    texts = {n: t for n, _, _, _, t, _, _ in exportkit.COMMENTS} | PLACES
    out = {}
    for item in parser.items:
        found = [n for n, t in texts.items() if t.split(" @")[0][-18:] in item["text"]]
        assert len(found) == 1, item
        out[found[0]] = item
    return out


def test_replies_show_the_comment_they_answer_above_them(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    examples = _examples(html)
    assert {3, 8, 12} <= set(examples)  # the three replies are examples of the park topic
    assert examples[3]["parent"] == "Svar på en kommentar: Hvornår starter byggeriet?"
    assert examples[8]["parent"] == "Svar på kommunens kommentar: Tak for din idé! Vi tager den med i arbejdet."
    assert examples[12]["parent"] == "Svar på en kommentar, der ikke længere er synlig."
    assert "spild af penge" not in html  # the deleted comment's text
    assert "Anne" not in html  # the staff member's signature, in the reply and in both posts
    for n, item in examples.items():  # the parent comes first, inside the example
        if n not in (3, 8, 12):
            assert item["parent"] == "", n
    li = html[html.index("Hvornår starter byggeriet?") - 200:]
    assert li.index("Hvornår starter") < li.index("Plant frugttræer")


def test_examples_link_to_facebook_only(report: Path) -> None:
    examples = _examples(report.read_text(encoding="utf-8"))
    for n, item in examples.items():
        links = item["links"]
        if n in GOOD_LINKS:
            assert links == [{"class": "fb", "href": GOOD_LINKS[n], "target": "_blank",
                              "rel": "noopener noreferrer"}], n
        else:  # a bad link, or none stored
            assert links == [], (n, links)
    assert set(GOOD_LINKS) <= set(examples) and len(set(BAD_LINKS) & set(examples)) >= 3


@pytest.mark.parametrize("url", [
    "https://www.facebook.com/a/posts/1?comment_id=2&reply_comment_id=3", "https://facebook.com/x"])
def test_facebook_url_passes_plain_facebook_links(url: str) -> None:
    from warehouse.report import facebook_url

    assert facebook_url(url) == url


@pytest.mark.parametrize("url", [
    None, float("nan"), "", "javascript:alert(1)", "JAVASCRIPT://www.facebook.com/%0aalert(1)",
    "http://www.facebook.com/x", "https://www.facebook.com", "https://www.facebook.com:444/x",
    "https://evil.example/www.facebook.com/", "https://www.facebook.com/x y", "https://www.facebook.com/<x>",
    "https://www.facebook.com/x'", "https://www.facebook.com/x\n", " https://www.facebook.com/x",
    "https://l.facebook.com/l.php?u=https://evil.example", "https://instagram.com/p/1",
])
def test_facebook_url_drops_everything_else(url: object) -> None:
    from warehouse.report import facebook_url

    assert facebook_url(url) is None


class _Svg(HTMLParser):
    """The desktop timeline's bars (x, width, tooltip) and post markers (x, label)."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: list[list] = []
        self.markers: list[list] = []
        self._in = self._marker = False
        self._title_of: list | None = None
        self._text_of: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            self._in = "chart timeline" == a.get("class")
        elif not self._in:
            return
        elif tag == "rect" and "period" in (a.get("class") or ""):
            self.bars.append([float(a["x"]), float(a["width"]), ""])
            self._title_of = self.bars[-1]
        elif tag == "g" and a.get("class") == "post-marker":
            self.markers.append([None, ""])
            self._marker = True
        elif tag == "line" and self._marker:
            self.markers[-1][0] = float(a["x1"])
        elif tag == "text" and self._marker:
            self._text_of = self.markers[-1]

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in = False
        elif tag == "g":
            self._marker = False
        elif tag in ("rect", "text"):
            self._title_of = self._text_of = None

    def handle_data(self, data: str) -> None:
        if self._title_of is not None:
            self._title_of[2] += data
        elif self._text_of is not None:
            self._text_of[1] += data


def test_posts_are_marked_on_the_timeline_at_their_time(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    svg = _Svg()
    svg.feed(html)
    assert [label for _, label in svg.markers] == ["Opslag 1", "Opslag 2"]
    by_day = {title.split(":")[0]: (x, w) for x, w, title in svg.bars}
    for (x, _), day, hour in zip(svg.markers, ("2. maj", "12. maj"), (11, 9), strict=True):
        bar_x, bar_w = by_day[day]
        slot = bar_w / 0.8
        start = bar_x - 0.1 * slot
        assert x == pytest.approx(start + slot * hour / 24, abs=0.2), day  # the hour of the day within its bin
    assert "De stiplede linjer er kommunens opslag: 1: 2. maj 2014; 2: 12. maj 2014." in html


def test_time_bins_reach_a_post_before_the_first_idea() -> None:
    unit, bins = charts.time_bins([dt.date(2014, 5, 3), dt.date(2014, 5, 4)], [dt.date(2014, 4, 30)])
    assert unit == "dag" and bins[0] == (dt.date(2014, 4, 30), 0) and sum(c for _, c in bins) == 2
    assert charts.marker_position(dt.datetime(2014, 4, 30, 18), bins, unit) == pytest.approx(0.75)
    assert charts.marker_position(dt.datetime(2014, 5, 5, 1), bins, unit) is None
    _, weeks = charts.time_bins([dt.date(2014, 3, 18), dt.date(2014, 6, 30)])
    # the week starts on Monday 17 March: Wednesday noon is 2.5 days in
    assert charts.marker_position(dt.datetime(2014, 3, 19, 12), weeks, "uge") == pytest.approx(2.5 / 7)
    _, months = charts.time_bins([dt.date(2013, 1, 31), dt.date(2015, 3, 1)])
    assert charts.marker_position(dt.datetime(2013, 2, 15), months, "måned") == pytest.approx(1 + 14 / 28)


def test_marker_labels_do_not_overlap() -> None:
    bins = [(dt.date(2014, 5, d), 1) for d in range(1, 4)]
    markers = [charts.Marker(dt.datetime(2014, 5, 1, h), f"Opslag {i}", "t") for i, h in enumerate((8, 9, 10), 1)]
    svg = charts.timeline(bins, "dag", markers, width=charts.PHONE_WIDTH, font=13, phone=True)
    ys = [float(part.split('y="')[1].split('"')[0]) for part in svg.split('<text x=')[1:] if "Opslag" in part]
    assert len(set(ys)) == 3  # three markers an hour apart: three label rows


# Every text of the charts and the map as the browser draws it: CSS font size times the SVG's scale on screen.
LAYOUT = """(() => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const svgs = [...document.querySelectorAll('svg.chart, svg.phone-chart, svg#places-map')];
  const texts = [];
  for (const svg of svgs.filter(visible)) {
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a;
      texts.push([svg.getAttribute('class') || svg.id, t.textContent, Math.round(px * 10) / 10]);
    }
  }
  return {
    visible: svgs.filter(visible).map(s => s.getAttribute('class') || s.id),
    texts: texts,
    scrollWidth: document.documentElement.scrollWidth,
    bodyWidth: document.body.scrollWidth,
    wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
          .map(e => e.tagName + '.' + e.getAttribute('class')),
  };
})()"""


@pytest.mark.parametrize(("width", "charts_shown"), [
    (400, ["phone-chart topic-bars-phone", "phone-chart timeline-phone", "places-map"]),
    (1280, ["chart topic-bars", "chart timeline", "places-map"]),
])
def test_chart_text_is_legible_and_nothing_overflows(report: Path, width: int, charts_shown: list[str],
                                                     tmp_path: Path) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.fail("chromium is not installed: run `make browser` (as root) or `apt-get install chromium`")
    with Chromium(binary) as browser:
        page = browser.load(report.as_uri(), width=width)
        seen = browser.evaluate(LAYOUT)
    assert page.errors == [] and page.remote_requests == []
    assert seen["visible"] == charts_shown
    kinds = {k for k, _, _ in seen["texts"]}
    assert kinds == set(charts_shown)  # text measured in every chart shown
    small = [t for t in seen["texts"] if t[2] < 11]
    assert small == [], small
    labels = [text for kind, text, _ in seen["texts"] if "topic-bars" in kind]
    assert "Park og træer" in labels and "Opslag 2" in [t for _, t, _ in seen["texts"]]
    assert seen["scrollWidth"] <= width and seen["wide"] == [], seen["wide"]


def test_a_late_evening_post_keeps_its_danish_date() -> None:
    import pandas as pd

    from warehouse.report import post_markers

    posts = pd.DataFrame({"post_id": ["a", "b"], "message": ["Hvad synes I?", "Husk det!\n/Anne"],
                          "created_at": pd.to_datetime(["2014-05-02T09:00Z", "2014-05-12T20:30Z"], utc=True),
                          "permalink_url": [None, None]})
    markers = post_markers(posts)
    assert [m.label for m in markers] == ["Opslag 1", "Opslag 2"]
    assert markers[1].at == dt.datetime(2014, 5, 12, 22, 30)  # Danish summer time
    assert markers[1].title == "Opslag 2, 12. maj 2014: Husk det!"  # not 13 May; no signature


def test_the_last_date_tick_stays_inside_the_chart() -> None:
    bins = [(dt.date(2014, 5, d), 1) for d in range(1, 14)]  # 13 days, a tick every 4th: one on the last day
    svg = charts.timeline(bins, "dag", width=charts.PHONE_WIDTH, font=13, max_ticks=4, phone=True)
    ticks = [part for part in svg.split("<text ")[1:] if "maj" in part]
    last = ticks[-1]
    x = float(last.split('x="')[1].split('"')[0])
    anchor = last.split('text-anchor="')[1].split('"')[0]
    label = last.split(">")[1].split("<")[0]
    right = x if anchor == "end" else x + len(label) * 13 * 0.3
    assert label == "13. maj" and right <= charts.PHONE_WIDTH
