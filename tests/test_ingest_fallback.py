"""Fallback extraction (issue 18): when trafilatura finds no main text, justext and then the
page's visible text are tried before refusing, and the article records which one answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventfuse.errors import InputError
from eventfuse.ingest import read_sources
from eventfuse.ingest.html import read_html
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(18)

FIRST = b"Nurses marched through the centre of Ashcombe on Tuesday to demand safer staffing."
SECOND = b"About 400 people joined the march, which ended outside the town hall."


@pytest.mark.parametrize("wrapper", [b"aside", b"footer", b"div id=comments"])
def test_text_in_unclosed_paragraphs_is_kept(tmp_path: Path, wrapper: bytes) -> None:
    closing = wrapper.split()[0]
    page = (b"<html><head><title>Strike</title><script>var tracking = 1;</script></head><body>"
            b"<" + wrapper + b"><p>" + FIRST + b"<p>" + SECOND + b"</" + closing + b">"
            b"<script>alert('x')</script></body></html>")
    path = tmp_path / "strike.html"
    path.write_bytes(page)
    [article] = list(read_sources([str(path)], Options()))
    assert isinstance(article, Article), article
    assert article.text == f"{FIRST.decode()}\n\n{SECOND.decode()}"
    assert article.title == "Strike"
    assert article.metadata["extractor"] in {"justext", "visible_text"}
    assert "trafilatura found no main text" in article.metadata["extractor_reason"]


def test_trafilatura_still_answers_first() -> None:
    page = b"<html><body><article><p>" + FIRST + b"</p><p>" + SECOND + b"</p></article></body>"
    [article] = read_html(page, "a.html", Options())
    assert isinstance(article, Article) and "extractor" not in article.metadata


def test_a_page_without_visible_text_is_still_refused() -> None:
    [error] = read_html(b"<html><body><script>var a = 1;</script><p> </p></body></html>",
                        "empty.html", Options())
    assert isinstance(error, InputError) and "no article text" in error.reason
