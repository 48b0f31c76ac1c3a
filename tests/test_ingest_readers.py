"""Readers: plain text, HTML, JSON Lines, RSS/Atom, WARC, and path expansion."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventfuse.errors import InputError
from eventfuse.ingest import (
    expand_paths,
    read_bytes,
    read_feed,
    read_html,
    read_jsonl,
    read_sources,
    read_text,
    read_warc,
)
from eventfuse.records import Article
from eventfuse.settings import Options

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
OPTIONS = Options()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def articles(results: list[Article | InputError]) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def errors(results: list[Article | InputError]) -> list[InputError]:
    return [r for r in results if isinstance(r, InputError)]


# --- plain text ------------------------------------------------------------------------------


def test_text_header_lines_become_fields_and_leave_the_text() -> None:
    [article] = read_text(fixture("headers.txt"), "headers.txt", OPTIONS)
    assert isinstance(article, Article)
    assert article.outlet == "Northern Ledger"
    assert article.title == "Dock workers walk out in Port Elsewhere"
    assert article.url is not None and article.url.startswith("https://Northern-Ledger.example")
    assert article.published == dt.date(2023, 3, 14)
    assert article.published_source == "header"
    assert article.text.startswith("Around three hundred dock workers")
    assert "Published" not in article.text and "outlet:" not in article.text
    # share and newsletter prompts are page furniture
    assert "Share this article" not in article.text
    assert "newsletter" not in article.text
    assert article.text.endswith('"until every shift is paid in full".')


def test_text_date_prefix_on_the_first_sentence_line() -> None:
    [article] = read_text(fixture("date_prefix.txt"), "date_prefix.txt", OPTIONS)
    assert isinstance(article, Article)
    assert article.published == dt.date(2023, 5, 2)
    assert article.published_source == "header"
    assert article.text.startswith("Farmers blocked the ring road around Lowmarsh")
    assert article.title is None


def test_text_short_first_line_set_apart_is_the_title() -> None:
    data = b"Ferry crews stage sit-in\n\nFerry crews staged a sit-in on Sunday.\n"
    [article] = read_text(data, "t.txt", OPTIONS)
    assert isinstance(article, Article)
    assert article.title == "Ferry crews stage sit-in"
    assert article.text == "Ferry crews staged a sit-in on Sunday."
    assert article.published is None and article.published_source is None


def test_text_published_and_byline_lines_under_the_title() -> None:
    data = (
        b"Weavers strike at Dunmore mill\n\nPublished 7 June 2022\n\n"
        b"By Ola Brandt, with Example Wire\n\n"
        b"By Monday, the strike had spread to two more mills.\n"
    )
    [article] = read_text(data, "t.txt", OPTIONS)
    assert isinstance(article, Article)
    assert article.title == "Weavers strike at Dunmore mill"
    assert article.published == dt.date(2022, 6, 7)
    assert article.metadata["author"] == "Ola Brandt, with Example Wire"
    assert article.text == "By Monday, the strike had spread to two more mills."


def test_text_first_sentence_is_not_taken_for_a_title() -> None:
    data = b"Ferry crews staged a sit-in on Sunday.\n\nThe operator said talks would resume.\n"
    [article] = read_text(data, "t.txt", OPTIONS)
    assert isinstance(article, Article)
    assert article.title is None
    assert article.text.startswith("Ferry crews staged a sit-in on Sunday.")


def test_text_updated_line_is_the_fallback_date_and_outlet_falls_back() -> None:
    data = b"Updated: 3 June 2020\n\nPickets stood outside the Grimsworth plant on Friday.\n"
    [article] = read_text(data, "t.txt", OPTIONS, outlet="folder-outlet")
    assert isinstance(article, Article)
    assert article.published == dt.date(2020, 6, 3)
    assert article.outlet == "folder-outlet"


def test_text_latin1_is_decoded() -> None:
    [article] = read_text(fixture("latin1.txt"), "latin1.txt", OPTIONS)
    assert isinstance(article, Article)
    assert "Café owners in Sète" in article.text


def test_outlet_from_folder_and_sorted_directory_walk() -> None:
    results = list(read_sources([str(FIXTURES / "demo")], OPTIONS, outlet_from_folder=True))
    found = articles(results)
    assert [a.outlet for a in found] == ["harbour-gazette", "valley-times"]
    assert found[0].title == "Ferry crews stage sit-in at Harbour Point"
    no_folder = articles(list(read_sources([str(FIXTURES / "demo")], OPTIONS)))
    assert [a.outlet for a in no_folder] == [None, None]


# --- HTML ------------------------------------------------------------------------------------


def test_html_main_text_metadata_and_embedded_tweet() -> None:
    [article] = read_html(fixture("page.html"), "page.html", OPTIONS)
    assert isinstance(article, Article)
    assert article.title == "Teachers rally outside ministry in Coralton"
    assert article.url == "https://www.coralton-herald.example/2022/10/teachers-rally/"
    assert article.outlet == "Coralton Herald"
    assert article.published == dt.date(2022, 10, 18)
    assert article.published_source == "html"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Thousands of teachers rallied")
    assert len(paragraphs) == 4
    assert "deserves better pay" not in article.text  # comments are excluded
    assert "Please enter" not in article.text and "Home" not in article.text
    [post] = article.posts
    assert post.author == "Lena Ostrova" and post.handle == "lenaostrova"
    assert post.date == dt.date(2022, 10, 17)
    assert post.url == "https://twitter.com/lenaostrova/status/1582000000000000000"
    assert post.text.startswith("The square in front of the ministry is full.")
    assert "as far as the eye can see" not in article.text


def test_html_without_canonical_uses_the_given_url() -> None:
    page = (
        b"<html><head><title>Short page</title></head><body><article>"
        b"<p>Workers at the Millbrook bakery stopped work on Thursday over a wage dispute "
        b"that has lasted since the spring, the union said in a statement.</p>"
        b"<p>Management declined to comment on the stoppage.</p></article></body></html>"
    )
    [article] = read_html(page, "p.html", OPTIONS, url="https://news.example/bakery")
    assert isinstance(article, Article)
    assert article.url == "https://news.example/bakery"
    assert "Millbrook bakery" in article.text


# --- JSON Lines ------------------------------------------------------------------------------


def test_jsonl_good_lines_load_and_bad_lines_name_file_and_line() -> None:
    results = read_jsonl(fixture("articles.jsonl"), "articles.jsonl", OPTIONS)
    found = articles(results)
    assert [a.source_id for a in found] == ["wire-001", "7", None]
    first = found[0]
    assert first.title == "Miners block highway near Redvale"
    assert first.outlet == "Example Wire"
    assert first.published == dt.date(2024, 2, 11) and first.published_source == "jsonl"
    # records freeze metadata: nested lists come back as tuples (issue 17)
    assert first.metadata == {"section": "world", "tags": ("labour", "mining")}
    assert first.text.split("\n\n")[1] == "The blockade was lifted in the evening."
    assert found[1].published == dt.date(2024, 2, 9)
    problems = errors(results)
    assert [e.path for e in problems] == [
        "articles.jsonl:3",
        "articles.jsonl:4",
        "articles.jsonl:5",
    ]
    assert "not valid JSON" in problems[0].reason
    assert "text" in problems[2].reason


# --- feeds -----------------------------------------------------------------------------------


def test_rss_entries_with_full_content_or_summary() -> None:
    results = read_feed(fixture("feed.rss"), "feed.rss", OPTIONS)
    first, second = articles(results)
    assert first.title == "Nurses march in Brackenford"
    assert first.outlet == "Midland Observer"
    assert first.published == dt.date(2023, 9, 6) and first.published_source == "feed"
    assert first.url == "https://midland-observer.example/nurses-march"
    # full content (not the truncated summary), HTML turned into paragraphs
    assert first.text == (
        "Nurses marched through Brackenford on Wednesday to demand safer staffing levels.\n\n"
        "Hospital managers said they would meet union representatives next week."
    )
    assert "<p>" not in second.text and second.text.startswith("Bus drivers in Kettlebury")


def test_atom_entry() -> None:
    [article] = read_feed(fixture("feed.atom"), "feed.atom", OPTIONS)
    assert isinstance(article, Article)
    assert article.outlet == "Lakeside Bulletin"
    assert article.published == dt.date(2023, 11, 1)
    assert article.url == "https://lakeside-bulletin.example/tenants"
    assert article.source_id == "urn:uuid:1b2c3d4e-0000-4000-8000-000000000002"


# --- WARC ------------------------------------------------------------------------------------


def page_html(n: int) -> bytes:
    return (
        f"<html><head><title>Rally number {n}</title></head><body><article>"
        f"<p>Protesters gathered in the square of Townsville {n} on Sunday, calling for cleaner "
        f"water and an inquiry into the river pollution that has killed fish for months.</p>"
        f"<p>Organisers said a second gathering was planned for the following weekend.</p>"
        f"</article></body></html>"
    ).encode()


def make_warc(gzip: bool, pages: int = 3) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    for n in range(pages):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            f"https://news.example/rally-{n}",
            "response",
            payload=io.BytesIO(page_html(n)),
            http_headers=headers,
        )
        writer.write_record(record)
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://news.example/logo.png",
            "response",
            payload=io.BytesIO(b"\x89PNG\r\n\x1a\n"),
            http_headers=image,
        )
    )
    return buffer.getvalue()


@pytest.mark.parametrize("gzip", [False, True])
def test_warc_html_responses_become_articles(gzip: bool) -> None:
    results = read_warc(make_warc(gzip), "crawl.warc", OPTIONS)
    assert errors(results) == []
    found = articles(results)
    assert [a.url for a in found] == [f"https://news.example/rally-{n}" for n in range(3)]
    assert found[0].title == "Rally number 0"
    assert "Townsville 0" in found[0].text


@pytest.mark.parametrize("gzip", [False, True])
def test_truncated_warc_keeps_records_before_the_cut(gzip: bool) -> None:
    data = make_warc(gzip, pages=3)
    whole = read_warc(data, "crawl.warc", OPTIONS)
    cut = read_warc(data[: int(len(data) * 0.6)], "crawl.warc", OPTIONS)
    [problem] = errors(cut)
    assert "truncated" in problem.reason
    kept = articles(cut)
    assert 1 <= len(kept) < len(articles(whole))
    assert [a.id for a in kept] == [a.id for a in articles(whole)[: len(kept)]]


# --- sources ---------------------------------------------------------------------------------


def test_sniffing_by_content_not_extension(tmp_path: Path) -> None:
    misnamed = tmp_path / "feed.txt"
    misnamed.write_bytes(fixture("feed.atom"))
    html_as_dat = tmp_path / "page.dat"
    html_as_dat.write_bytes(fixture("page.html"))
    found = articles(list(read_sources([str(tmp_path)], OPTIONS)))
    assert {a.published_source for a in found} == {"feed", "html"}


def test_globs_stdin_and_missing_paths() -> None:
    stdin = io.BytesIO(b"Dockers marched to the Portside town hall on Monday.\n")
    results = list(
        read_sources(
            [str(FIXTURES / "feed.*"), "-", str(FIXTURES / "nothing-*.txt")], OPTIONS, stdin=stdin
        )
    )
    found = articles(results)
    assert [a.outlet for a in found[:3]] == [
        "Lakeside Bulletin",
        "Midland Observer",
        "Midland Observer",
    ]
    assert found[3].source_path == "<stdin>" and found[3].text.startswith("Dockers marched")
    [problem] = errors(results)
    assert "no file matches" in problem.reason


def test_same_input_same_ids(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "headers.txt", tmp_path / "copy.txt")
    first = articles(read_bytes(fixture("headers.txt"), "a.txt", OPTIONS))
    second = articles(list(read_sources([str(tmp_path / "copy.txt")], OPTIONS)))
    assert [a.id for a in first] == [a.id for a in second]
    assert [a.text for a in first] == [a.text for a in second]


def test_directory_walk_skips_notes_and_hidden_files(tmp_path: Path) -> None:
    for name in ("README.md", "LICENSE", ".hidden.txt", "story.txt"):
        (tmp_path / name).write_bytes(b"Crowds gathered in Ashby on Friday for a march.\n")
    assert [Path(p).name for p in expand_paths([str(tmp_path)])] == ["story.txt"]
    # a file named explicitly is read
    assert [Path(p).name for p in expand_paths([str(tmp_path / "README.md")])] == ["README.md"]


def test_json_array_and_pretty_printed_record() -> None:
    array = (
        b'[{"text": "Cyclists rode through Pellham on Sunday to demand bike lanes.", "id": "a"},\n'
        b' {"title": "no text"}]'
    )
    results = read_bytes(array, "batch.json", OPTIONS)
    assert [a.source_id for a in articles(results)] == ["a"]
    assert [e.path for e in errors(results)] == ["batch.json[1]"]
    pretty = (
        b'{\n  "text": "Weavers picketed the Dunmore mill on Monday.",\n  "outlet": "Loom"\n}\n'
    )
    [article] = read_bytes(pretty, "one.json", OPTIONS)
    assert isinstance(article, Article) and article.outlet == "Loom"
    # text that merely starts with a bracket stays text
    [note] = read_bytes(b"[Updated] Weavers picketed the mill.\n", "note.txt", OPTIONS)
    assert isinstance(note, Article) and note.text.startswith("[Updated]")


def test_text_mentioning_entity_declarations_is_not_refused() -> None:
    page = (
        b"<html><body><article><p>Security researchers in Brindle warned on Monday that parsers "
        b"expanding <code><!ENTITY></code> declarations can be crashed by a billion-laughs "
        b"document, and urged vendors to patch their XML libraries quickly.</p></article>"
        b"</body></html>"
    )
    [article] = read_html(page, "xml-news.html", OPTIONS)
    assert isinstance(article, Article) and "billion-laughs" in article.text
