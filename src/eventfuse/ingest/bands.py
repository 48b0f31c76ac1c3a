"""The near-duplicate index over the store: candidate originals looked up by LSH band.

:class:`~eventfuse.ingest.dedup.NearDuplicateIndex` rebuilt from every stored signature costs a
run time in proportion to the store (about a millisecond per stored article).
:class:`StoredCopyIndex` answers the same questions with the same banding (its own datasketch
``MinHashLSH``'s bands and rows): a stored article is a candidate when one band of its signature
equals the new signature's, which the store finds by index (``Store.band_candidates``); this
run's own articles are in the in-memory index. Candidates are verified and ordered as the
in-memory index does (:func:`~eventfuse.ingest.dedup.original_key`, with the store's ingestion
order), so both name the same original.
"""

from __future__ import annotations

from eventfuse.ingest.dedup import NearDuplicateIndex, original_key, similarity
from eventfuse.store.base import ArticleStore


class StoredCopyIndex(NearDuplicateIndex):
    """A near-duplicate index whose stored part is the store's band table."""

    def __init__(self, store: ArticleStore, threshold: float = 0.9, num_perm: int = 64) -> None:
        super().__init__(threshold, num_perm)
        self.layout = f"{num_perm}:" + ",".join(f"{a}-{b}" for a, b in self._ranges)
        self._store = store
        store.fill_signature_bands(self.layout, self.bands)  # articles stored without bands
        self._base = store.ingest_position()

    def bands(self, blob: bytes) -> list[bytes]:
        """The signature's band keys under this index's banding, band i at index i."""
        return [blob[8 * start : 8 * end] for start, end in self._ranges]

    def __len__(self) -> int:
        """Positions taken: every stored article's, then this run's."""
        return self._base + super().__len__()

    def verified(self, blob: bytes) -> dict[str, tuple[bool, str, int]]:
        keys = {
            entry.article_id: original_key(entry.published, entry.copy_of, entry.seq)
            for entry in self._store.band_candidates(self.layout, self.bands(blob))
            if entry.seq is not None and entry.article_id not in self
            and similarity(entry.signature, blob) >= self.threshold
        }
        keys.update(super().verified(blob))
        return keys
