"""Stable event ids: inherited across runs by member overlap, else a hash of the members."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from eventfuse.records import Event


def new_event_id(mention_ids: Iterable[str]) -> str:
    """``ev-`` + the first 12 hex digits of sha256 over the sorted member mention ids."""
    joined = "\n".join(sorted(mention_ids))
    return "ev-" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


def assign_ids(
    clusters: Sequence[tuple[str, ...]], previous: Sequence[Event]
) -> dict[tuple[str, ...], str]:
    """Cluster -> event id. Each previous id goes to at most one cluster: the pairs with the
    largest member overlap claim first (ties: smallest previous id, then smallest cluster)."""
    owner: dict[str, str] = {}
    for event in previous:
        for mention_id in event.mention_ids:
            owner.setdefault(mention_id, event.id)
    offers: list[tuple[int, str, tuple[str, ...]]] = []
    for cluster in clusters:
        overlap: dict[str, int] = {}
        for mention_id in cluster:
            if mention_id in owner:
                overlap[owner[mention_id]] = overlap.get(owner[mention_id], 0) + 1
        offers.extend((-count, event_id, cluster) for event_id, count in overlap.items())
    ids: dict[tuple[str, ...], str] = {}
    taken: set[str] = set()
    for _, event_id, cluster in sorted(offers):
        if cluster not in ids and event_id not in taken:
            ids[cluster] = event_id
            taken.add(event_id)
    # A fresh id must not repeat one in use: a split-off part can hash to the id its old event
    # was born with ({c} -> H(c), later grown to {c, d, e} and inherited by {d, e}).
    in_use = taken | {event.id for event in previous}
    for cluster in clusters:
        if cluster not in ids:
            ids[cluster] = _unused_id(cluster, in_use)
            in_use.add(ids[cluster])
    return ids


def _unused_id(cluster: tuple[str, ...], in_use: set[str]) -> str:
    candidate, salt = new_event_id(cluster), 0
    while candidate in in_use:
        salt += 1
        candidate = new_event_id([*cluster, f"#{salt}"])
    return candidate
