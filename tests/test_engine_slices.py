"""A run of more articles than ``fuse_every`` extracts and fuses them slice by slice, oldest
first, so its memory follows a slice and not the run (docs/benchmarks.md, "100k articles").

What must hold: each slice's fusion sees the store as a run of that slice alone would, the later
slices' (already ingested) articles hidden; so a sliced run gives exactly what runs of the
same slices, one after another, give; and on news whose stories do not straddle a slice, the
events of one fusion at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from eventfuse.engines.local import extract_pending, fusion_slices, ingest_articles, run
from eventfuse.fuse.scope import fusion_scope
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options
from eventfuse.store import open_store

# Invented reports: three happenings, each told by two outlets, in three towns, weeks apart.
_STORIES = (
    ("Springfield", dt.date(2024, 3, 4),
     "Police said two men were shot and killed on Monday outside a bar in Springfield. "
     "Officers arrested a suspect, Harlan Quist, on Tuesday.",
     "Two men died after a shooting outside a Springfield bar on Monday, police said. "
     "Harlan Quist was arrested on Tuesday."),
    ("Shelbyville", dt.date(2024, 4, 15),
     "Hundreds of teachers marched through Shelbyville on Monday to protest pay cuts, "
     "the union said.",
     "Teachers protested on Monday in Shelbyville against cuts to their pay, union leaders "
     "said."),
    ("Ogdenville", dt.date(2024, 5, 27),
     "A woman was stabbed and wounded at a bus stop in Ogdenville on Monday, police said.",
     "Police in Ogdenville said a woman was wounded in a stabbing at a bus stop on Monday."),
)


def _articles() -> list[Article]:
    out = []
    for k, (town, day, first, second) in enumerate(_STORIES):
        for outlet, text in (("Gazette", first), ("Courier", second)):
            out.append(Article(id=f"{outlet.lower()}-{k}", text=text, outlet=outlet,
                               title=f"{town} news", published=day,
                               url=f"https://{outlet.lower()}.example/{k}"))
    return out[::-1]  # newest first: the slices must order them


def _events(store: Any) -> list[dict[str, Any]]:
    return [to_dict(e) for e in sorted(store.get_events(), key=lambda e: e.id)]


def _by_members(events: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Events keyed by their members, ids left out: an event's id is the one it was born with
    (an event grown by a later slice keeps its first member's id), by design not a function of
    its final members."""
    return {tuple(sorted(e["mention_ids"])): {k: v for k, v in e.items() if k != "id"}
            for e in events}


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "order.db")
    return str(request.getfixturevalue("pg_url"))


def test_slices_are_in_publication_order(location: str) -> None:
    articles = [*_articles(), Article(id="undated", text="Nothing happened.", outlet="Gazette")]
    options = dataclasses.replace(Options(), fuse_every=4)
    with open_store(location) as store:
        ingest_articles(articles, store, options)
        slices = fusion_slices(store, store.articles_without_mentions(), options)
        one = fusion_slices(store, ["a", "b"], dataclasses.replace(options, fuse_every=0))
    assert [len(s) for s in slices] == [4, 3]
    assert slices[-1][-1] == "undated"  # undated last
    dates = {a.id: a.published for a in articles}
    flat = [(dates[i], i) for part in slices for i in part][:-1]
    assert flat == sorted(flat)  # oldest first, ties by id
    assert one == [["a", "b"]]


def test_sliced_run_gives_the_events_of_one_fusion(tmp_path: Path) -> None:
    articles = _articles()
    with open_store(str(tmp_path / "one.db")) as store:
        run(articles, store, dataclasses.replace(Options(), fuse_every=0))
        whole = _events(store)
    assert len(whole) >= 3
    for size in (1, 2, 3):
        with open_store(str(tmp_path / f"sliced-{size}.db")) as store:
            report = run(articles, store, dataclasses.replace(Options(), fuse_every=size))
            assert report.extracted_articles == len(articles)
            assert store.unfused_mentions() == []
            sliced = _events(store)
        assert _by_members(sliced).keys() == _by_members(whole).keys(), f"slices of {size}"
        assert _by_members(sliced) == _by_members(whole), f"slices of {size}"


def test_sliced_run_is_runs_of_its_slices(tmp_path: Path) -> None:
    """The definition: the same store as runs of each slice, oldest first, one after another
    (ingest of every article first changes nothing fusion reads)."""
    articles = _articles()
    options = dataclasses.replace(Options(), fuse_every=2)
    with open_store(str(tmp_path / "sliced.db")) as store:
        run(articles, store, options)
        sliced = _events(store)
    by_date = sorted(articles, key=lambda a: (a.published, a.id))
    with open_store(str(tmp_path / "runs.db")) as store:
        for start in range(0, len(by_date), 2):
            run(by_date[start : start + 2], store, options)
        assert _events(store) == sliced


def test_a_slice_does_not_see_the_later_slices(tmp_path: Path) -> None:
    """The later slices' articles are stored (ingest reads the whole input first) but hidden:
    they must not weigh in the slice's story clustering (TF-IDF over the scope's articles)."""
    articles = _articles()
    options = Options()
    first = ["gazette-0"]  # its story's other report, the same day, is left for later
    later = frozenset(a.id for a in articles) - set(first)
    with open_store(str(tmp_path / "hidden.db")) as store:
        ingest_articles(articles, store, options)
        extract_pending(store, options, ids=first)
        scope = fusion_scope(store, options, later)
        assert sorted(a.id for a in scope.articles) == first
        assert {m.article_id for m in scope.mentions} == set(first)
        # Without hiding, a store without events is read whole: every stored article.
        assert len(fusion_scope(store, options).articles) == len(articles)
