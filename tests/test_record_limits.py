"""Size limits per record (issue 18): a JSON Lines file, a feed or a WARC archive larger than
max_file_bytes is read, each line, entry or record held to max_file_bytes; the file limit applies
to single-article files only (containers have max_container_bytes)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventfuse.errors import InputError
from eventfuse.ingest import read_file
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(18)

LIMIT = 2_000
OPTIONS = Options(max_file_bytes=LIMIT)
ARTICLES = 40


def _story(n: int, words: int = 40) -> str:
    return f"Story {n}: " + " ".join(f"marchers{n} gathered in town{n} square" for _ in range(
        words // 5)) + "."


def _split(results: list[Article | InputError]) -> tuple[list[Article], list[InputError]]:
    return ([r for r in results if isinstance(r, Article)],
            [r for r in results if isinstance(r, InputError)])


def test_a_jsonl_file_over_the_file_limit_is_read_record_by_record(tmp_path: Path) -> None:
    lines = [json.dumps({"text": _story(n), "outlet": "Wire"}) for n in range(ARTICLES)]
    lines.insert(7, json.dumps({"text": "Huge " + "word " * LIMIT, "outlet": "Wire"}))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 10 * LIMIT
    articles, errors = _split(read_file(str(path), OPTIONS))
    assert len(articles) == ARTICLES
    [error] = errors
    assert error.path == f"{path}:8" and "max_file_bytes" in error.reason


def test_a_feed_over_the_file_limit_keeps_its_small_entries(tmp_path: Path) -> None:
    items = "".join(f"<item><title>T{n}</title><link>https://w.example/{n}</link>"
                    f"<description>{_story(n)}</description></item>" for n in range(ARTICLES))
    items += f"<item><title>Big</title><description>{'word ' * LIMIT}</description></item>"
    path = tmp_path / "feed.rss"
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
                    f"{items}</channel></rss>", encoding="utf-8")
    articles, errors = _split(read_file(str(path), OPTIONS))
    assert len(articles) == ARTICLES
    [error] = errors
    assert error.path == f"{path}#{ARTICLES + 1}" and "max_file_bytes" in error.reason


def test_a_warc_over_the_file_limit_keeps_its_small_records(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    bodies = [f"<html><body><article><p>{_story(n)}</p></article></body></html>"
              for n in range(ARTICLES)]
    bodies.append("<html><body><p>" + "word " * LIMIT + "</p></body></html>")
    for n, body in enumerate(bodies):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            f"https://w.example/{n}", "response", payload=io.BytesIO(body.encode()),
            http_headers=headers))
    path = tmp_path / "crawl.warc"
    path.write_bytes(buffer.getvalue())
    articles, errors = _split(read_file(str(path), OPTIONS))
    assert len(articles) == ARTICLES
    [error] = errors
    assert error.path.startswith(f"{path}#") and "max_file_bytes" in error.reason


def test_a_single_article_file_keeps_the_file_limit(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(_story(1, words=LIMIT), encoding="utf-8")
    [error] = read_file(str(path), OPTIONS)
    assert isinstance(error, InputError) and "single-article" in error.reason


def test_containers_have_their_own_limit(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps({"text": _story(n)}) for n in range(ARTICLES)))
    [error] = read_file(str(path), Options(max_file_bytes=LIMIT, max_container_bytes=5 * LIMIT))
    assert isinstance(error, InputError) and "max_container_bytes" in error.reason
