"""The store's pending-work lists (migration 0008) answer exactly what the anti-joins over every
stored row answered: the articles never extracted, the mentions no event links, the signatures
without bands of a layout. Random sequences of every write that changes them (adding and
revising articles, re-extracting, fusing, unlinking, filling bands of two layouts), checked
after each step against the tables themselves, on SQLite and PostgreSQL; and a store made
before the migration lists what it had pending."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from eventfuse.records import Article, Event, Mention
from eventfuse.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "pending.db")
    return str(request.getfixturevalue("pg_url"))


def _bands(blob: bytes) -> list[bytes]:
    return [blob[:4], blob[4:8]]


def _wide_bands(blob: bytes) -> list[bytes]:
    return [blob[:8]]


LAYOUTS = {"narrow": _bands, "wide": _wide_bands}


def _expected(store: Store) -> tuple[list[str], list[str], dict[str, set[str]]]:
    """(articles never extracted, mentions no event links, per layout the signed articles
    without its bands), from the tables."""
    rows = store.dump()
    extracted = {r[0] for r in rows["extracted"]}
    articles = sorted(r[0] for r in rows["articles"] if r[0] not in extracted)
    linked = {r[1] for r in rows["event_mentions"]}
    mentions = sorted(r[0] for r in rows["mentions"] if r[0] not in linked)
    signed = {r[0] for r in rows["article_signatures"]}
    banded: dict[str, set[str]] = {}
    for layout, _, _, article_id in rows["signature_bands"]:
        banded.setdefault(layout, set()).add(article_id)
    return articles, mentions, {name: signed - banded.get(name, set()) for name in LAYOUTS}


def _check(store: Store) -> None:
    articles, mentions, _ = _expected(store)
    assert store.articles_without_mentions() == articles
    assert sorted(m.id for m in store.unfused_mentions()) == mentions


@pytest.mark.parametrize("seed", [1, 2])
def test_pending_lists_match_the_tables(location: str, seed: int) -> None:
    rng = random.Random(seed)
    events: dict[str, tuple[str, ...]] = {}
    with open_store(location) as store:
        for step in range(40):
            choice = rng.randrange(6)
            stored = sorted(a.id for a in store.get_articles())
            if choice == 0 or not stored:  # new articles, some signed
                new = [Article(id=f"a{step:02d}{k}", text=f"text {step} {k}") for k in range(3)]
                store.add_articles(new, {a.id: rng.randbytes(8) for a in new
                                         if rng.random() < 0.7})
            elif choice == 1:  # (re-)extraction: mentions kept, dropped, added
                target = rng.choice(stored)
                count = rng.randrange(3)
                store.put_mentions([target], [Mention(id=f"{target}:{rng.randrange(4)}#{k}",
                                                      article_id=target, type="PROTEST")
                                              for k in range(count)])
            elif choice == 2:  # a fusion: events rewritten, some removed, mentions regrouped
                mentions = [m.id for m in store.get_mentions()]
                rng.shuffle(mentions)
                removed = rng.sample(sorted(events), k=min(len(events), rng.randrange(3)))
                written: list[Event] = []
                for i in range(rng.randrange(3)):
                    members = tuple(sorted(mentions[i * 2 : i * 2 + 2]))
                    if members:
                        taken = {m for e in written for m in e.mention_ids}
                        if not taken & set(members):
                            written.append(Event(id=f"e{step}-{i}", type="PROTEST",
                                                 mention_ids=members))
                store.put_events(written, removed)
                for event_id in removed:
                    events.pop(event_id, None)
                events.update((e.id, e.mention_ids) for e in written)
            elif choice == 3:  # a revision: extracted again, maybe a new signature
                target = rng.choice(stored)
                store.revise_article(Article(id=target, text=f"revised {step}"),
                                     rng.randbytes(8) if rng.random() < 0.5 else None)
            else:  # bands of one layout: of all, or of a few articles
                name = rng.choice(sorted(LAYOUTS))
                ids = None if choice == 4 else rng.sample(stored, k=min(2, len(stored)))
                store.fill_signature_bands(name, LAYOUTS[name], ids)
                if ids is None:
                    assert _expected(store)[2][name] == set()
            _check(store)
        # Whatever happened in between, a fill of all finds every missing band.
        for name, bands in LAYOUTS.items():
            missing = _expected(store)[2][name]
            assert store.fill_signature_bands(name, bands) == len(missing)
            assert _expected(store)[2][name] == set()


def test_a_store_made_before_the_lists_has_them_filled(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(str(path)) as store:
        store.add_articles([Article(id=i, text=i) for i in ("a", "b", "c")],
                           {"a": bytes(8), "b": bytes(range(8))})
        store.put_mentions(["a"], [Mention(id="a:1", article_id="a", type="PROTEST"),
                                   Mention(id="a:2", article_id="a", type="PROTEST")])
        store.put_events([Event(id="e", type="PROTEST", mention_ids=("a:1",))])
        store.fill_signature_bands("narrow", _bands, ["a"])
    # As before migration 0008: its tables and its record gone.
    with sqlite3.connect(path) as conn:
        for table in ("unextracted_articles", "unfused_mentions", "unbanded_signatures",
                      "band_layouts"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM schema_migrations WHERE version = '0008'")
    with open_store(str(path)) as store:
        assert store.articles_without_mentions() == ["b", "c"]
        assert [m.id for m in store.unfused_mentions()] == ["a:2"]
        # No layout was checked whole since the lists exist: the first fill does it.
        assert store.fill_signature_bands("narrow", _bands) == 1
        assert store.fill_signature_bands("narrow", _bands) == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT layout FROM band_layouts").fetchall() == [("narrow",)]


def _stored(path: Path, size: int) -> Store:
    """A SQLite store of ``size`` extracted, fused and banded articles, then 3 new articles and
    one new mention: the state a run finds."""
    store = open_store(str(path))
    articles = [Article(id=f"s{i:05d}", text=f"text {i}") for i in range(size)]
    store.add_articles(articles, {a.id: i.to_bytes(8, "big") for i, a in enumerate(articles)})
    ids = [a.id for a in articles]
    store.put_mentions(ids, [Mention(id=f"{i}:0", article_id=i, type="PROTEST") for i in ids])
    store.put_events([Event(id=f"e{i}", type="PROTEST", mention_ids=(f"{i}:0",)) for i in ids])
    store.fill_signature_bands("narrow", _bands)
    new = [Article(id=f"n{i}", text=f"new {i}") for i in range(3)]
    store.add_articles(new, {a.id: bytes(8) for a in new})
    store.put_mentions(["n0"], [Mention(id="n0:0", article_id="n0", type="PROTEST")])
    return store


def _steps(store: Store) -> int:
    """SQLite VM instructions (in hundreds) a run's three "what is new" questions take."""
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    conn = store._conn  # type: ignore[attr-defined]  # SQLite's: the progress handler is its own
    conn.set_progress_handler(tick, 100)
    try:
        assert store.articles_without_mentions() == ["n1", "n2"]
        assert [m.id for m in store.unfused_mentions()] == ["n0:0"]
        assert store.fill_signature_bands("narrow", _bands) == 3
    finally:
        conn.set_progress_handler(None, 0)
    return counted[0]


def test_what_is_new_is_found_without_reading_the_whole_store(tmp_path: Path) -> None:
    """Ten times the stored articles, about the same work: an anti-join over every row (what
    these questions were) takes ten times the instructions."""
    small, large = _stored(tmp_path / "small.db", 100), _stored(tmp_path / "large.db", 1000)
    try:
        assert _steps(large) < 2 * _steps(small) + 20
    finally:
        small.close()
        large.close()
