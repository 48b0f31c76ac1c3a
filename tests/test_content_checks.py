"""Junk is refused with a reason (issue 18): XML that is neither a feed nor XHTML, and API uploads
whose Content-Type is not text, HTML, JSON Lines, a feed or WARC (415)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventfuse.api import create_app
from eventfuse.errors import InputError
from eventfuse.ingest import read_sources
from eventfuse.ingest.decode import sniff
from eventfuse.records import Article
from eventfuse.settings import Options
from eventfuse.store import open_store

pytestmark = pytest.mark.issue(18)

TOKEN = "test-token-18"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JUNK_XML = b"<foo><bar>hello</bar></foo>"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("EVENTFUSE_TOKEN", raising=False)
    with open_store(":memory:") as store:
        yield TestClient(create_app(Options(), store=store, token=TOKEN),
                         raise_server_exceptions=False)


@pytest.mark.parametrize("data", [JUNK_XML, b'<?xml version="1.0"?>\n<config a="1"/>',
                                  b"<ns:record xmlns:ns='x'><ns:f>hi</ns:f></ns:record>\n"])
def test_xml_that_is_neither_feed_nor_xhtml_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "thing.xml"
    path.write_bytes(data)
    [error] = list(read_sources([str(path)], Options()))
    assert isinstance(error, InputError), error
    assert error.path == str(path) and "neither a feed" in error.reason and "root <" in error.reason


@pytest.mark.parametrize(("data", "kind"), [
    (b"<Reuters> - Police in Ashcombe said on Tuesday that nurses had marched.", "text"),
    (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi</p>'
     b"</body></html>", "html"),
    (b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', "feed"),
    (b"<section><p>Nurses marched.</p></section>", "html"),
])
def test_texts_pages_and_feeds_are_not_taken_for_xml(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf",
                                          "application/octet-stream"])
def test_upload_of_another_type_is_415(client: TestClient, content_type: str) -> None:
    response = client.post("/api/articles", content=b"abc",
                           headers={**AUTH, "Content-Type": content_type})
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type" and content_type in error["message"]


def test_junk_xml_upload_is_refused_with_the_reason(client: TestClient) -> None:
    response = client.post("/api/articles", content=JUNK_XML,
                           headers={**AUTH, "Content-Type": "application/xml"})
    assert response.status_code == 422, response.text
    assert "neither a feed" in response.json()["error"]["message"]


def test_a_json_lines_upload_is_still_read(tmp_path: Path) -> None:
    # Readers are unchanged for the accepted types: a JSON Lines record is an article.
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "Nurses marched through Ashcombe on Tuesday.", "outlet": "x"}\n')
    [article] = list(read_sources([str(path)], Options()))
    assert isinstance(article, Article)
