"""Article identity (normalized URL / text hashes) and near-duplicate (wire copy) linking."""

from __future__ import annotations

import datetime as dt

import pytest

from eventfuse.ingest.dedup import NearDuplicateIndex, link_copies, signature, similarity
from eventfuse.ingest.identity import article_id, normalize_url
from eventfuse.records import Article

WIRE_STORY = " ".join(
    [
        "Hundreds of farmers drove tractors into the centre of Ostrava Nova on Wednesday,",
        "blocking the main square for several hours to protest against cheap grain imports",
        "and a planned cut in diesel subsidies. Police said the protest was peaceful and no one",
        "was detained. The farmers' association said further blockades would follow in three",
        "other regions if the agriculture ministry did not withdraw the subsidy plan by the end",
        "of the month. Ministry officials said they were ready to meet the protesters but that",
        "the budget had already been approved by the cabinet. Traffic was diverted around the",
        "city for most of the afternoon, and several bus lines were suspended until the evening.",
        "Farmers from neighbouring districts joined the protest in the early afternoon, bringing",
        "the number of tractors to more than two hundred, according to local organisers.",
    ]
)
UNRELATED = " ".join(
    [
        "The city library of Ostrava Nova reopened on Wednesday after a two-year renovation",
        "that added a children's wing, a rooftop reading garden and a new archive for local",
        "newspapers. The mayor cut the ribbon in front of several hundred residents, and the",
        "first visitors borrowed more than a thousand books in the opening hours. Librarians",
        "said the digital catalogue would be available online from next month.",
    ]
)


def test_normalize_url() -> None:
    url = "HTTPS://News.Example.COM:443/world/story/?utm_source=rss&b=2&a=1&fbclid=x#comments"
    assert normalize_url(url) == "https://news.example.com/world/story?a=1&b=2"
    assert normalize_url("http://example.com:8080/a/") == "http://example.com:8080/a"


def test_article_id_is_stable_short_hex_and_url_based() -> None:
    a = article_id("https://news.example.com/story/?utm_medium=x", "text one")
    b = article_id("https://NEWS.example.com/story#top", "a different text")
    assert a == b and len(a) == 16 and int(a, 16) >= 0
    assert article_id(None, "Some  text\nhere") == article_id("", "some text here")
    assert article_id(None, "some text here") != article_id(None, "other text")
    assert article_id("https://news.example.com/other", "text one") != a


def make(article_id_: str, text: str, published: dt.date | None = None) -> Article:
    return Article(id=article_id_, text=text, published=published)


def test_wire_copy_with_changed_byline_is_linked_unrelated_is_not() -> None:
    original = make("orig", "By Anna Kowal, Example Wire\n\n" + WIRE_STORY, dt.date(2024, 5, 1))
    copy = make("copy", "By Staff Reporter, Daily Gazette\n\n" + WIRE_STORY, dt.date(2024, 5, 1))
    other = make("other", UNRELATED, dt.date(2024, 5, 1))
    index = NearDuplicateIndex(threshold=0.9, num_perm=64)
    linked = link_copies([original, copy, other], index)
    assert [a.copy_of for a in linked] == [None, "orig", None]
    assert len(index) == 3


def test_earlier_published_article_is_the_original_within_a_batch() -> None:
    later = make("later", "Reuters - " + WIRE_STORY, dt.date(2024, 5, 2))
    earlier = make("earlier", "AP - " + WIRE_STORY, dt.date(2024, 5, 1))
    linked = link_copies([later, earlier], NearDuplicateIndex())
    assert [a.copy_of for a in linked] == ["earlier", None]


def test_incremental_index_from_stored_signatures() -> None:
    stored = {"first": signature(WIRE_STORY, 64)}
    assert isinstance(stored["first"], bytes) and len(stored["first"]) == 64 * 8
    index = NearDuplicateIndex(0.9, 64)
    for key, blob in stored.items():
        index.add(key, blob)
    [linked] = link_copies([make("new", WIRE_STORY + " Updated at 10:00.")], index)
    assert linked.copy_of == "first"
    assert index.find_copy_of(signature(UNRELATED, 64)) is None


def test_signature_is_deterministic_and_similarity_orders() -> None:
    assert signature(WIRE_STORY) == signature(WIRE_STORY)
    assert similarity(signature(WIRE_STORY), signature("By X\n" + WIRE_STORY)) >= 0.9
    assert similarity(signature(WIRE_STORY), signature(UNRELATED)) < 0.3


@pytest.mark.parametrize("num_perm", [16, 64, 128])
@pytest.mark.parametrize("text", [
    "", "one", "two words", WIRE_STORY, UNRELATED, "Ça coûte 5 € — naïve café’s façade, déjà vu.",
    "Élan\nvital\tand the same words: the same words, the same words.",
])
def test_signature_holds_datasketch_minhash_values(text: str, num_perm: int) -> None:
    # Stores written by earlier versions hold datasketch's MinHash values: new signatures
    # must equal them to compare (the scheme, seed and shingles as signature uses them).
    import numpy as np
    from datasketch import MinHash

    from eventfuse.ingest.dedup import SCHEME, SEED, shingles

    reference = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    reference.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    assert signature(text, num_perm) == np.asarray(reference.hashvalues, dtype="<u8").tobytes()


def test_same_id_is_not_its_own_copy() -> None:
    article = make("same", WIRE_STORY)
    index = NearDuplicateIndex()
    link_copies([article], index)
    [again] = link_copies([article], index)
    assert again.copy_of is None


def test_on_the_same_day_the_article_crediting_the_wire_is_the_copy() -> None:
    day = dt.date(2024, 5, 1)
    republished = Article(
        id="paper",
        text="By staff, with Example Wire Service\n\n" + WIRE_STORY,
        outlet="Town Paper",
        published=day,
    )
    wire = Article(id="wire", text=WIRE_STORY, outlet="Example Wire Service", published=day)
    linked = link_copies([republished, wire], NearDuplicateIndex())
    assert [a.copy_of for a in linked] == ["wire", None]


def test_copies_a_few_words_apart_are_all_found() -> None:
    # LSH banding must not miss true copies: each variant changes one word (Jaccard ~0.96).
    words = WIRE_STORY.split()
    index = NearDuplicateIndex(0.9, 64)
    index.add("wire", signature(WIRE_STORY))
    for position in range(0, len(words), 12):
        variant = " ".join(w if i != position else "changed" for i, w in enumerate(words))
        assert index.find_copy_of(signature(variant)) == "wire", position


def test_link_copies_reuses_given_signatures() -> None:
    a, b = make("a", WIRE_STORY), make("b", UNRELATED)
    # b's given signature is a's: linking must use it (the pipeline passes stored signatures)
    [_, linked] = link_copies([a, b], NearDuplicateIndex(), {"b": signature(WIRE_STORY)})
    assert linked.copy_of == "a"


def test_similarity_is_the_minhash_estimate_without_building_minhashes() -> None:
    """dedup.similarity reads the share of equal signature values, as MinHash.jaccard does,
    and signatures made with the cached permutations are those a fresh MinHash makes."""
    import numpy as np
    from datasketch import MinHash

    from eventfuse.ingest.dedup import shingles, signature, similarity

    texts = ["Police said two men were hurt in a crash on the bridge late on Monday night.",
             "Police said two men were hurt in a crash on the bridge late on Tuesday night.",
             "The council voted to rebuild the library after the flood last spring."]
    blobs = [signature(t) for t in texts]
    for text, blob in zip(texts, blobs, strict=True):
        fresh = MinHash(num_perm=64, seed=1, scheme="affine32")
        fresh.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
        assert blob == np.asarray(fresh.hashvalues, dtype="<u8").tobytes()

    def estimate(a: bytes, b: bytes) -> float:
        def minhash(blob: bytes) -> MinHash:
            values = np.frombuffer(blob, dtype="<u8").astype(np.uint64)
            return MinHash(num_perm=64, seed=1, hashvalues=values, scheme="affine32")
        return float(minhash(a).jaccard(minhash(b)))

    for a in blobs:
        for b in blobs:
            assert similarity(a, b) == estimate(a, b)
    assert 0.3 < similarity(blobs[0], blobs[1]) < 1.0 and similarity(blobs[0], blobs[2]) < 0.2
    with pytest.raises(ValueError, match="permutations"):
        similarity(blobs[0], signature(texts[0], num_perm=32))


def test_a_threshold_above_one_links_nothing_and_looks_nothing_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linking off (``near_duplicate_jaccard`` > 1): even exact copies stay apart, and no
    candidate is looked up (a corpus of many exact copies would pay for every earlier one)."""
    index = NearDuplicateIndex(threshold=1.01, num_perm=64)
    looked_up: list[bytes] = []
    real = index.verified
    monkeypatch.setattr(index, "verified", lambda blob: looked_up.append(blob) or real(blob))
    copies = [make(f"c{n}", WIRE_STORY, dt.date(2024, 5, 1)) for n in range(3)]
    assert [a.copy_of for a in link_copies(copies, index)] == [None, None, None]
    assert len(index) == 3 and looked_up == []
    assert real(signature(WIRE_STORY)) == {}  # what a look-up would have found: nothing


def test_band_tables_propose_what_datasketch_lsh_proposes() -> None:
    # The index keeps the LSH's bands in a dict of band bytes: it must find the candidates
    # MinHashLSH.query finds, over copies, edited copies and unrelated texts.
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    from eventfuse.ingest.dedup import CANDIDATE_MARGIN, CANDIDATE_WEIGHTS, SCHEME, SEED

    sentences = [s.strip() for s in (WIRE_STORY + " " + UNRELATED).split(".") if s.strip()]
    texts = [" ".join(sentences[k:k + n]) for k in range(len(sentences)) for n in (3, 6, 9)]
    texts += [t + " Updated." for t in texts[::4]]
    blobs = {f"t{k}": signature(t) for k, t in enumerate(texts)}

    def minhash(blob: bytes) -> MinHash:
        values = np.frombuffer(blob, dtype="<u8").astype(np.uint64)
        return MinHash(num_perm=64, seed=SEED, hashvalues=values, scheme=SCHEME)

    for threshold in (0.5, 0.9):
        index = NearDuplicateIndex(threshold)
        lsh = MinHashLSH(threshold=min(0.99, max(0.3, threshold - CANDIDATE_MARGIN)),
                         num_perm=64, weights=CANDIDATE_WEIGHTS)
        proposed = 0
        for key, blob in blobs.items():
            expected = {k: v for k, v in index._order.items() if k in set(lsh.query(minhash(blob)))
                        and similarity(blobs[k], blob) >= threshold}
            assert index.verified(blob) == expected
            proposed += len(expected)
            index.add(key, blob)
            lsh.insert(key, minhash(blob))
        assert proposed > 0
