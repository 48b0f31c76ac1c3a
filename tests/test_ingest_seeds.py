"""The two shared seed articles read as the design says (skipped when ../shared is absent)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import needs_shared
from eventfuse.ingest import read_sources
from eventfuse.records import Article
from eventfuse.settings import Options

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

pytestmark = needs_shared(SEEDS)


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    results = list(read_sources([str(SEEDS)], Options()))
    assert all(isinstance(r, Article) for r in results), results
    return {Path(a.source_path or "").name[:3]: a for a in results if isinstance(a, Article)}


def test_seed_000_header_date_and_posts(seeds: dict[str, Article]) -> None:
    article = seeds["000"]
    assert article.published == dt.date(2021, 9, 7)
    assert article.published_source == "header"
    assert article.text.startswith("Hundreds of Afghans took to the streets")
    assert "pic.twitter.com" not in article.text
    assert [(p.author, p.handle, p.date) for p in article.posts] == [
        ("Shabnam Nasimi", "NasimiShabnam", dt.date(2021, 9, 6)),
        ("Frud Bezhan", "FrudBezhan", dt.date(2021, 9, 6)),
    ]
    assert "#Kabul" in article.posts[1].text and "#Kabul" not in article.text
    # the article's own sentence about the chants stays article text
    assert "The chants by the protesters also included" in article.text


def test_seed_001_title_no_date_no_furniture(seeds: dict[str, Article]) -> None:
    article = seeds["001"]
    assert article.title == (
        "Dozens rally in Afghan capital as resistance leader call for national uprising"
    )
    assert article.published is None and article.published_source is None
    assert "Please enter" not in article.text
    assert article.text.startswith("Dozens rallied in the Afghan capital Kabul")
    assert article.posts == ()


def test_seed_ids_are_distinct_and_stable(seeds: dict[str, Article]) -> None:
    again = {a.id for a in read_sources([str(SEEDS)], Options()) if isinstance(a, Article)}
    assert again == {a.id for a in seeds.values()} and len(again) == 2
