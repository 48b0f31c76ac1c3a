"""Near-duplicate articles (wire copies) by MinHash over word shingles, with an LSH index.

Incremental: the pipeline stores each article's :func:`signature` (a compact blob), rebuilds a
:class:`NearDuplicateIndex` from stored signatures, and links new articles with :func:`link_copies`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH

from eventfuse.records import Article

SHINGLE_WORDS = 3
SEED = 1  # fixed: signatures must be comparable across runs and machines
_WORD = re.compile(r"\w+")
CANDIDATE_MARGIN = 0.2
CANDIDATE_WEIGHTS = (0.2, 0.8)  # (false positive, false negative) weights of the LSH banding

# Stored signatures must be decoded with the scheme that made them (datasketch 2 insists).
SCHEME = "affine32"


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word n-grams; a text shorter than ``size`` words is one shingle."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text: str, num_perm: int = 64) -> bytes:
    """The MinHash signature of ``text`` as little-endian uint64 bytes (8 × ``num_perm``).

    The values of datasketch's ``MinHash.update_batch`` of :func:`shingles` under
    :data:`SCHEME` (stored signatures compare against new ones; tests/test_ingest_identity_dedup.py
    holds the two equal), computed here without a MinHash and without a Python step per
    shingle: the shingles as UTF-8 bytes (the words encoded once, joined by a space), each
    one's SHA-1 (datasketch's ``sha1_hash32``: its first 4 bytes, little-endian) read from one
    joined buffer, the MurmurHash3 finalizer, then every permutation ``a * h + b`` (mod 2^32)
    at once. Hashing shingle by shingle through a MinHash cost half of an ingest."""
    words = list(map(str.encode, _WORD.findall(text.casefold())))
    if len(words) < SHINGLE_WORDS:
        grams = {b" ".join(words)} if words else set()
    else:
        grams = set(map(b" ".join, zip(*(words[k:] for k in range(SHINGLE_WORDS)), strict=False)))
    if not grams:  # datasketch's empty MinHash: every value the largest
        return np.full(num_perm, _MAX32, dtype="<u8").tobytes()
    a, b = _permutations(num_perm)
    digests = b"".join(map(_DIGEST, map(hashlib.sha1, grams)))  # 20 bytes each
    hashed = np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint32)
    permuted = _fmix32(hashed)[:, None] * a + b  # uint32: wraps around, as datasketch's does
    values: bytes = permuted.min(axis=0).astype("<u8").tobytes()
    return values


_DIGEST = type(hashlib.sha1()).digest
_MAX32 = (1 << 32) - 1
# MurmurHash3's 32-bit finalizer (datasketch's pre-mix of each hash under "affine32").
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    s1, m1, s2, m2 = _FMIX
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s1)


@functools.cache
def _permutations(num_perm: int) -> npt.NDArray[np.uint32]:
    """The permutations of ``SEED``: a MinHash draws them from its seed each time it is made
    (2 × ``num_perm`` random numbers), which cost more than the rest of an ingest's look-up."""
    permutations: npt.NDArray[np.uint32] = np.asarray(
        MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations)
    permutations.setflags(write=False)  # shared by every MinHash made here
    return permutations


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures: the share of equal
    values (MinHash.jaccard's estimate, without building two MinHash objects per pair)."""
    if len(a) != len(b):
        raise ValueError(f"signatures of {len(a) // 8} and {len(b) // 8} permutations")
    values_a = np.frombuffer(a, dtype="<u8")
    values_b = np.frombuffer(b, dtype="<u8")
    return float(np.count_nonzero(values_a == values_b)) / len(values_a)


class NearDuplicateIndex:
    """Signatures in an LSH index. Which candidate a copy points to is decided by a stable key,
    :func:`original_key`: originals before copies, then publication time, then ingestion order
    (the order the store recorded them in). Rebuilt from the store after a crash, the index
    therefore answers exactly as the uninterrupted run did."""

    def __init__(self, threshold: float = 0.9, num_perm: int = 64) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        # LSH only proposes candidates; each is verified against ``threshold``. Banding tuned
        # at ``threshold`` itself misses many true copies with 64 permutations (at J=0.9 it
        # proposes 3 in 10), so candidates are drawn at a lower, recall-weighted threshold.
        candidate_threshold = min(0.99, max(0.3, threshold - CANDIDATE_MARGIN))
        # datasketch's LSH chooses the banding; its tables are kept here: two signatures share
        # a band when the band's values, so its bytes, are equal, which is what the LSH's
        # tables find (a dict of band bytes finds it without a MinHash object per lookup).
        banding = MinHashLSH(
            threshold=candidate_threshold, num_perm=num_perm, weights=CANDIDATE_WEIGHTS
        )
        self._ranges = [(int(start), int(end)) for start, end in banding.hashranges]
        self._tables: dict[tuple[int, bytes], list[str]] = {}
        self._order: dict[str, tuple[bool, str, int]] = {}
        self._signatures: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._order

    def add(
        self,
        article_id: str,
        blob: bytes,
        published: dt.date | None = None,
        copy_of: str | None = None,
        seq: int | None = None,
    ) -> None:
        """Index an article's signature (adding the same id again is a no-op). ``seq`` is its
        position in ingestion order; by default, the order of the calls."""
        if article_id in self._order:
            return
        self._check(blob)
        for band in self._band_keys(blob):
            self._tables.setdefault(band, []).append(article_id)
        position = len(self) if seq is None else seq
        self._order[article_id] = original_key(published, copy_of, position)
        self._signatures[article_id] = blob

    def find_copy_of(self, blob: bytes) -> str | None:
        """The article of least :func:`original_key` whose estimated Jaccard with ``blob`` is
        >= the threshold."""
        self._check(blob)
        if self.threshold > 1:
            # Linking is off (no estimate exceeds 1): candidates are not looked up, and exact
            # copies of one text, each a candidate of all the earlier ones, cost nothing.
            return None
        candidates = self.verified(blob)
        return min(candidates, key=candidates.__getitem__) if candidates else None

    def verified(self, blob: bytes) -> dict[str, tuple[bool, str, int]]:
        """The indexed articles whose estimated Jaccard with ``blob`` reaches the threshold,
        with their :func:`original_key`."""
        proposed = {key for band in self._band_keys(blob) for key in self._tables.get(band, ())}
        return {
            key: self._order[key]
            for key in sorted(proposed)
            if similarity(self._signatures[key], blob) >= self.threshold
        }

    def _band_keys(self, blob: bytes) -> list[tuple[int, bytes]]:
        return [(band, blob[8 * start : 8 * end]) for band, (start, end) in enumerate(self._ranges)]

    def _check(self, blob: bytes) -> None:
        if len(blob) != 8 * self.num_perm:
            raise ValueError(
                f"signature of {len(blob) // 8} permutations, index uses {self.num_perm}"
            )


class CopyIndex(Protocol):
    """What :func:`link_copies` needs of an index (this one, or the store's by band)."""

    num_perm: int

    def __len__(self) -> int: ...

    def add(self, article_id: str, blob: bytes, published: dt.date | None = None,
            copy_of: str | None = None, seq: int | None = None) -> None: ...

    def find_copy_of(self, blob: bytes) -> str | None: ...


def link_copies(
    articles: Sequence[Article],
    index: CopyIndex,
    signatures: Mapping[str, bytes] | None = None,
) -> list[Article]:
    """``articles`` (same order) with ``copy_of`` set for wire copies; adds them to ``index``.

    ``signatures`` (by article id) are reused when given, e.g. those about to be stored.

    Articles already in the index were seen first. Within the batch the original is the earliest
    published; on the same day, an article crediting another outlet of the batch in its text
    ("with Valley Wire") is taken for the copy; then the first given.
    """
    outlets = {a.outlet for a in articles if a.outlet}
    order = sorted(
        range(len(articles)),
        key=lambda i: (_date_key(articles[i]), _credits_other_outlet(articles[i], outlets), i),
    )
    linked = list(articles)
    # The caller stores ``articles`` in the given order after those indexed: their ingestion
    # positions, which an index rebuilt from the store after a crash sees too.
    first = len(index)
    for i in order:
        article = articles[i]
        blob = (signatures or {}).get(article.id) or signature(article.text, index.num_perm)
        original = index.find_copy_of(blob)
        if original is not None and original != article.id and article.copy_of is None:
            linked[i] = dataclasses.replace(article, copy_of=original)
        index.add(article.id, blob, article.published, linked[i].copy_of, seq=first + i)
    return linked


def original_key(
    published: dt.date | None, copy_of: str | None, seq: int
) -> tuple[bool, str, int]:
    """Sort key of the candidates for a copy's original: originals first, then the earliest
    published (undated last), then the first stored."""
    return (copy_of is not None, published.isoformat() if published else "9999-99-99", seq)


def _date_key(article: Article) -> str:
    return article.published.isoformat() if article.published else "9999-99-99"


def _credits_other_outlet(article: Article, outlets: set[str]) -> bool:
    """The article names another outlet of the batch in its byline or text."""
    where = f"{article.metadata.get('author') or ''}\n{article.text}"
    return any(
        o != article.outlet and re.search(rf"\b{re.escape(o)}\b", where, re.IGNORECASE)
        for o in outlets
    )
