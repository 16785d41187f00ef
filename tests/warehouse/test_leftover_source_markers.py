"""The report's timeline marks each imported source (a meeting's notes, a batch of e-mails, an Instagram media) at
its first item, as it marks the Page's posts: the channel as label, the date and the file's name as tooltip and in
the legend; nothing an item says and no author. Real DuckDB warehouse, the real export."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import exportkit
import pandas as pd
import pytest

from warehouse import db, export, load
from warehouse.report import source_markers

TEXTS = ["Mette Holm foreslog en bypark oven på motorvejen", "Flere bænke ved åen", "Legeplads til de små"]
FILES = [  # channel, file, first item's time (UTC), item texts
    ("email", "mails-maj.csv", dt.datetime(2014, 5, 6, 9, 30, tzinfo=dt.UTC), TEXTS[:1]),
    ("borgermoede", "borgermoede-2014-05-12.csv", dt.datetime(2014, 5, 12, 17, 0, tzinfo=dt.UTC), TEXTS[1:]),
    ("borgermoede", "noter-fra-workshop.csv", dt.datetime(2014, 5, 14, 17, 0, tzinfo=dt.UTC), TEXTS[:1]),
]
EXPECTED = ["E-mail, 6. maj 2014: importeret fil mails-maj.csv",
            "Borgermøde 1, 12. maj 2014: importeret fil borgermoede-2014-05-12.csv",
            "Borgermøde 2, 14. maj 2014: importeret fil noter-fra-workshop.csv"]


class _Markers(HTMLParser):
    """Per timeline SVG, the titles and labels of its markers (`post-marker` / `source-marker` groups)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []  # class, title, label
        self._group: str | None = None
        self._tag = ""
        self._title = self._label = ""
        self.legend = ""
        self._in_legend = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "g" and (a.get("class") or "").endswith("-marker"):
            self._group, self._title, self._label = a["class"], "", ""
        if tag == "p" and a.get("class") == "legend":
            self._in_legend = True
        self._tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "g" and self._group:
            self.found.append((self._group, self._title, self._label))
            self._group = None
        if tag == "p":
            self._in_legend = False

    def handle_data(self, data: str) -> None:
        if self._group and self._tag == "title":
            self._title += data
        elif self._group and self._tag == "text":
            self._label += data
        if self._in_legend:
            self.legend += data


def _report(tmp_path: Path, files: list[tuple[str, str, dt.datetime, list[str]]]) -> str:
    path = tmp_path / "wh.duckdb"
    exportkit.build(path).close()
    with db.session(path) as con:
        for channel, name, first, texts in files:
            items = pd.DataFrame({"item_id": [f"{name}-{i}" for i in range(len(texts))], "text": texts,
                                  "created_at": [first + dt.timedelta(hours=i) for i in range(len(texts))],
                                  "author_key": ["k" * 16] * len(texts)})
            load.save_imported_items(con, items, consultation=exportkit.SLUG, channel=channel, source_file=name,
                                     now=exportkit.RUN_2_AT)
        export.export_consultation(con, exportkit.SLUG, tmp_path / "exports", title=exportkit.TITLE,
                                   generated_at=exportkit.GENERATED_AT)
    return (tmp_path / "exports" / exportkit.SLUG / "report.html").read_text(encoding="utf-8")


def test_each_imported_source_is_marked_at_its_first_item(tmp_path: Path) -> None:
    page = _Markers()
    page.feed(_report(tmp_path, FILES))
    sources = [(title, label) for kind, title, label in page.found if kind == "source-marker"]
    # the wide chart and the phone chart, each with the three sources in time order
    assert sources == 2 * list(zip(EXPECTED, ["E-mail", "Borgermøde 1", "Borgermøde 2"], strict=True))
    assert [label for kind, _, label in page.found if kind == "post-marker"] == ["Opslag", "Opslag"]  # as before
    assert "De prikkede linjer er det første indlæg fra hver importeret kilde: " + "; ".join(EXPECTED) in page.legend
    said = " ".join(title for _, title, _ in page.found) + page.legend
    assert not any(text in said for text in TEXTS) and "Mette" not in said and "kkkk" not in said


def test_no_imported_source_no_source_marker(tmp_path: Path) -> None:
    html = _report(tmp_path, [])
    assert "source-marker" not in html and "importeret kilde" not in html and 'class="post-marker"' in html


HOSTILE = '"><img src=x onerror="window.pwned=7">{{ 7*7 }}<svg onload=alert(1)>.csv'


def test_a_hostile_file_name_stays_text(tmp_path: Path) -> None:
    html = _report(tmp_path, [("borgermoede", HOSTILE, dt.datetime(2014, 5, 12, 17, 0, tzinfo=dt.UTC), TEXTS[1:])])
    page = _Markers()
    page.feed(html)
    titles = [title for kind, title, _ in page.found if kind == "source-marker"]
    assert titles == [f"Borgermøde, 12. maj 2014: importeret fil {HOSTILE}"] * 2
    assert HOSTILE in page.legend and "onerror=\"window" not in html and "<img" not in html
    assert "<svg onload" not in html and "{{ 7*7 }}" in html


@pytest.mark.parametrize(("channel", "n"), [("instagram", 1), ("instagram", 2)])
def test_an_instagram_media_is_named_by_its_channel_not_its_id(channel: str, n: int) -> None:
    at = pd.Timestamp("2014-05-03 08:00", tz="UTC")
    sources = pd.DataFrame({"channel": [channel] * n, "source": [f"instagram-media-1791234567890123{i}"
                                                                 for i in range(n)],
                            "first_at": [at + pd.Timedelta(days=i) for i in range(n)]})
    markers = source_markers(sources)
    labels = ["Instagram"] if n == 1 else ["Instagram 1", "Instagram 2"]
    assert [m.label for m in markers] == labels and all(m.kind == "source" for m in markers)
    assert markers[0].title == f"{labels[0]}, 3. maj 2014: opslag på Instagram"
    assert markers[0].at == dt.datetime(2014, 5, 3, 10, 0)  # Danish summer time
    assert not any("1791234" in m.title for m in markers)


def test_a_typo_in_a_source_date_does_not_stretch_the_timeline(tmp_path: Path) -> None:
    """Review finding: a date cell typed "0214-05-12" in an imported row that is no idea drew 21,745 monthly bins (a
    2.6 MB chart, every idea in one bar). A source marks its start only within the ideas' and posts' time."""
    typo = ("borgermoede", "noter-tastefejl.csv", dt.datetime(214, 5, 12, 17, 0, tzinfo=dt.UTC), TEXTS[:1])
    plain = _report(tmp_path / "plain", FILES)
    html = _report(tmp_path / "typo", [*FILES, typo])
    page = _Markers()
    page.feed(html)
    titles = [title for kind, title, _ in page.found if kind == "source-marker"]
    assert not any("tastefejl" in t for t in titles) and "tastefejl" not in page.legend
    assert len(titles) == 2 * len(FILES) and len(html) < 1.2 * len(plain)
