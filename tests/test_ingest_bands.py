"""The store's band index (``ingest.bands.StoredCopyIndex``, what ``ingest_articles`` uses) names
the same wire-copy original as the in-memory LSH index rebuilt from every stored signature in
ingestion order (what a run did before), batch after batch, on SQLite and PostgreSQL; a revised
article's bands follow its new signature."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from eventfuse.engines.local import ingest_articles
from eventfuse.ingest.bands import StoredCopyIndex
from eventfuse.ingest.dedup import NearDuplicateIndex, link_copies, signature
from eventfuse.records import Article
from eventfuse.settings import Options
from eventfuse.store import open_store

_SENTENCE = ("police said the protest in the capital turned violent after officers fired tear "
             "gas at marchers who blocked the main road near parliament on monday evening "
             "while witnesses reported several arrests and injuries among the crowd")
WORDS = tuple(_SENTENCE.split(" "))


def _corpus(seed: int, n: int) -> list[Article]:
    """Texts that are copies of each other with a few words changed (some above, some below
    the copy threshold), dates shuffled so later batches hold earlier originals."""
    rng = random.Random(seed)
    bases = [[rng.choice(WORDS) for _ in range(120)] for _ in range(6)]
    out = []
    for i in range(n):
        words = list(rng.choice(bases))
        for _ in range(rng.choice([0, 1, 2, 5, 30])):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        published = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(5))
        out.append(Article(id=f"a{i:03d}", text=" ".join(words), outlet=f"o{i % 4}",
                           published=rng.choice([published, None])))
    return out


def _old_way(articles: list[Article], batches: list[int], options: Options) -> dict[str, str]:
    """copy_of per article as ingest did with an index rebuilt from the store each batch."""
    with open_store(":memory:") as store:
        start = 0
        for size in batches:
            index = NearDuplicateIndex(options.near_duplicate_jaccard,
                                       options.minhash_permutations)
            for entry in store.signature_entries():
                index.add(entry.article_id, entry.signature, entry.published, entry.copy_of)
            batch = articles[start : start + size]
            sigs = {a.id: signature(a.text, options.minhash_permutations) for a in batch}
            store.add_articles(link_copies(batch, index, sigs), sigs)
            start += size
        return {a.id: a.copy_of or "" for a in store.get_articles()}


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "bands.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_band_lookup_names_the_same_originals(location: str, seed: int) -> None:
    options = Options(batch_size=7)
    articles = _corpus(seed, 60)
    batches = [7] * 8 + [4]
    expected = _old_way(articles, batches, options)
    assert sum(1 for v in expected.values() if v) >= 10  # copies exist to be found
    with open_store(location) as store:
        start = 0
        for size in batches:
            ingest_articles(articles[start : start + size], store, options)
            start += size
        assert {a.id: a.copy_of or "" for a in store.get_articles()} == expected


def test_revised_signature_replaces_its_bands(tmp_path: Path) -> None:
    options = Options()
    one, other = _corpus(7, 2)
    with open_store(str(tmp_path / "r.db")) as store:
        ingest_articles([one], store, options)
        revised = Article(id=one.id, text=other.text + " more words", outlet=one.outlet)
        store.revise_article(revised, signature(revised.text, options.minhash_permutations))
        index = StoredCopyIndex(store, options.near_duplicate_jaccard,
                                options.minhash_permutations)
        assert index.find_copy_of(signature(revised.text, options.minhash_permutations)) == one.id
        assert index.find_copy_of(signature(one.text, options.minhash_permutations)) is None


def test_bands_are_filled_for_the_given_articles_only(location: str) -> None:
    options = Options()
    articles = _corpus(5, 4)
    sigs = {a.id: signature(a.text, options.minhash_permutations) for a in articles}
    with open_store(location) as store:
        store.add_articles(articles, sigs)  # stored without bands (as before migration 0007)
        layout = "test-layout"

        def bands(blob: bytes) -> list[bytes]:
            return [blob[:8], blob[8:16]]

        assert store.fill_signature_bands(layout, bands, ["a001", "a002", "a001"]) == 2
        assert store.fill_signature_bands(layout, bands, ["a001"]) == 0  # already banded
        assert store.fill_signature_bands(layout, bands) == 2  # the other two
        assert store.fill_signature_bands(layout, bands) == 0
