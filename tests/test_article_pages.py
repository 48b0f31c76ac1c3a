"""The article listing in SQL (issue 19, part 3): ``GET /api/articles`` filters, sorts, pages and
counts in the store, and every page equals what the listing answered when it filtered every
stored article in Python (the reference below), on both backends."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eventfuse.acled import outlet_domain
from eventfuse.api import article_summary, create_app
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options
from eventfuse.store import ArticleFilter, SQLiteStore, Store, open_store
from eventfuse.store.schema import load_migrations

N_ARTICLES = 160
OUTLETS = ("Harbour Courier", "COAST WIRE", "Straße Zeitung", None, "50%_news")
URLS = ("https://www.Harbour-Courier.test/a/{n}", "http://coastwire.test/{n}",
        "https://news.valley.test/story?id={n}", "https://www.strasse-zeitung.test/{n}")
WORDS = ("march", "Crowd", "city", "STRASSE", "Straße", "strike", "100%", "night_shift", "ΣΟΦΙΑ",
         "council", "wages", "rally", "injured")


def _articles() -> list[Article]:
    """Varied articles (deterministic): outlets and URLs in mixed case, missing titles, outlets
    and dates, many sharing a day (ties go by id), casefolding and LIKE-wildcard texts."""
    rng = random.Random(19)
    first = dt.date(2024, 3, 1)
    found = []
    for n in range(N_ARTICLES):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25)))
        found.append(Article(
            id=f"a-{rng.randrange(10_000):04d}-{n}" if n % 9 else f"é-{n}",
            text=f"{words.capitalize()}.",
            url=rng.choice(URLS).format(n=n) if rng.random() > 0.15 else None,
            outlet=rng.choice(OUTLETS),
            title=None if rng.random() < 0.2 else " ".join(rng.sample(WORDS, 3)).title(),
            published=None if rng.random() < 0.15 else first + dt.timedelta(rng.randrange(12)),
        ))
    return found


# --- the reference: the listing as it was, every stored article filtered in Python --------------


def _matches(article: Article, outlet: str | None, q: str | None, start: dt.date | None,
             end: dt.date | None) -> bool:
    if outlet:
        names = {article.outlet or "", outlet_domain(article.url) or ""}
        if outlet.casefold() not in {n.casefold() for n in names}:
            return False
    if q and q.casefold() not in f"{article.title or ''} {article.text}".casefold():
        return False
    if (start or end) and article.published is None:
        return False
    if start and article.published and article.published < start:
        return False
    return not (end and article.published and article.published > end)


def _reference(articles: list[Article], params: dict[str, Any]) -> dict[str, Any]:
    start = dt.date.fromisoformat(params["start"]) if "start" in params else None
    end = dt.date.fromisoformat(params["end"]) if "end" in params else None
    matching = [a for a in articles
                if _matches(a, params.get("outlet"), params.get("q"), start, end)]
    matching.sort(key=lambda a: (a.published.isoformat() if a.published else "", a.id),
                  reverse=True)
    limit, offset = params.get("limit", 100), params.get("offset", 0)
    return {"ok": True, "total": len(matching), "limit": limit, "offset": offset,
            "articles": [article_summary(a) for a in matching[offset : offset + limit]]}


FILTERS: list[dict[str, Any]] = [
    {},
    {"outlet": "harbour courier"},
    {"outlet": "Coast Wire"},
    {"outlet": "coastwire.test"},  # the URL's domain
    {"outlet": "HARBOUR-COURIER.TEST"},  # domain without www., any case
    {"outlet": "strasse zeitung"},  # casefolded "Straße Zeitung"
    {"outlet": "50%_news"},
    {"outlet": "50%"},  # whole names only, wildcards literal
    {"outlet": "news.valley.test", "q": "strike"},
    {"q": "strasse"},
    {"q": "STRASSE"},
    {"q": "σοφια"},
    {"q": "100%"},
    {"q": "00%c"},  # as a LIKE pattern it would match "100% council"
    {"q": "night_shift"},
    {"q": "nightxshift"},  # "_" is no wildcard
    {"q": "Rally Crowd"},  # the title's end and the text's start, across the space
    {"q": "a\x00b"},
    {"q": "ke"},
    {"start": "2024-03-05"},
    {"end": "2024-03-03"},
    {"start": "2024-03-04", "end": "2024-03-04"},
    {"start": "2024-03-06", "end": "2024-03-02"},
    {"outlet": "coast wire", "q": "march", "start": "2024-03-02", "end": "2024-03-10"},
]
PAGES = [{}, {"limit": 7}, {"limit": 7, "offset": 5}, {"limit": 1, "offset": 1},
         {"limit": 20, "offset": 150}, {"limit": 1000, "offset": 0}]


@pytest.fixture(params=["sqlite", "postgres"])
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, list[Article]]]:
    location = (str(tmp_path / "articles.db") if request.param == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    articles = _articles()
    with open_store(location) as store:
        store.add_articles(articles[:100])
        store.add_articles(articles[100:])
        # A revised article is listed, and searched, as its new version.
        revised = Article(id=articles[3].id, text="Rewritten: wages council.", url=None,
                          outlet="Coast Wire", title="Update", published=dt.date(2024, 3, 9))
        store.revise_article(revised)
        articles[3] = revised
        yield store, articles


@pytest.mark.parametrize("filters", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_every_page_equals_the_python_listing(
    filled: tuple[Store, list[Article]], filters: dict[str, Any]
) -> None:
    store, articles = filled
    client = TestClient(create_app(Options(), store=store))
    for page in PAGES:
        params = {**filters, **page}
        body = client.get("/api/articles", params=params).json()
        assert body == _reference(articles, params), params
    expected_none = filters.get("q") in ("a\x00b", "nightxshift", "00%c") or filters in (
        {"outlet": "50%"}, {"start": "2024-03-06", "end": "2024-03-02"})
    assert (_reference(articles, filters)["total"] == 0) == expected_none  # each case tests


def test_the_store_pages_only_what_it_decodes(
    filled: tuple[Store, list[Article]], decode_log: Callable[[Store], list[str]]
) -> None:
    store, _ = filled
    decoded = decode_log(store)
    body = TestClient(create_app(Options(), store=store)).get(
        "/api/articles", params={"limit": 20, "offset": 40}).json()
    assert body["total"] == N_ARTICLES and len(body["articles"]) == 20
    assert decoded == ["articles"] * 20


def test_list_articles_without_a_limit_lists_every_match(
    filled: tuple[Store, list[Article]]
) -> None:
    store, articles = filled
    where = ArticleFilter(text="wages")
    listed = store.list_articles(where)
    assert [to_dict(a) for a in listed] == [
        to_dict(a) for a in sorted((a for a in articles if "wages" in a.text.casefold()
                                    or "wages" in (a.title or "").casefold()),
                                   key=lambda a: (a.published.isoformat() if a.published
                                                  else "", a.id), reverse=True)]
    assert store.count_articles(where) == len(listed)
    assert store.count_articles() == N_ARTICLES
    assert [a.id for a in store.list_articles(where, offset=3)] == [a.id for a in listed[3:]]


def test_migration_fills_listing_columns_of_older_articles(tmp_path: Path) -> None:
    """Articles written before migration 0009 are listed and searched once the store opens."""
    location = str(tmp_path / "old.db")
    articles = _articles()[:60]
    older = [m for m in load_migrations() if m.version < "0009"]
    SQLiteStore(location, migrations=older).close()
    with sqlite3.connect(location) as conn:  # as the store before 0009 wrote them
        conn.executemany(
            "INSERT INTO articles (id, url, outlet, title, published, copy_of, json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(a.id, a.url, a.outlet, a.title, a.published.isoformat() if a.published else None,
              None, json.dumps(to_dict(a))) for a in articles])
    conn.close()
    with open_store(location) as store:
        client = TestClient(create_app(Options(), store=store))
        for params in ({"q": "strasse", "limit": 5}, {"outlet": "coastwire.test"},
                       {"outlet": "straße zeitung", "start": "2024-03-04"}):
            expected = _reference(articles, params)
            assert expected["total"] > 0
            assert client.get("/api/articles", params=params).json() == expected


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_article_page_and_total_are_read_in_one_snapshot(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Articles stored by another connection between the page's read and the count's are not
    counted in the total the page is listed with."""
    location = (str(tmp_path / "snapshot.db") if backend == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    articles = _articles()
    with open_store(location) as store, open_store(location) as writer:
        store.add_articles(articles[:50])
        read_rows = store._article_rows  # type: ignore[attr-defined]

        def rows_then_a_write(*args: object) -> list[Article]:
            rows: list[Article] = read_rows(*args)
            writer.add_articles(articles[50:80])
            return rows

        monkeypatch.setattr(store, "_article_rows", rows_then_a_write)
        page, total = store.articles_page(limit=10)
        assert len(page) == 10 and total == 50
        monkeypatch.undo()
        assert store.count_articles() == 80
