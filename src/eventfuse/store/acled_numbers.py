"""Stable per-country event numbers for ACLED-style exports (migration 0003, both dialects).

ACLED identifies an event as ISO3 + a number within the country (``AFG1234``). The first export
of an event allocates the next free number of its country; later exports reuse it, so a row keeps
its id across runs and a removed event's number is never handed out again. The row digest records
what was exported: when it changes, the row's ``timestamp`` (ACLED's "last modified", Unix seconds)
moves on. Works on any store with the backends' ``_read``/``_write`` transactions (SQLite or
PostgreSQL); the only SQL difference is the parameter marker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, cast

from eventfuse.errors import StoreError


@dataclass(frozen=True, slots=True)
class ExportKey:
    """What an export knows of one event: its id, country prefix and exported content."""

    event_id: str
    iso3: str
    digest: str


@dataclass(frozen=True, slots=True)
class AcledIdent:
    event_id_cnty: str
    timestamp: int


class _SqlStore(Protocol):
    def _read(self) -> AbstractContextManager[Any]: ...

    def _write(self, lock: str) -> AbstractContextManager[Any]: ...


def _sql(store: Any) -> _SqlStore:
    if not (hasattr(store, "_read") and hasattr(store, "_write")):
        raise StoreError(f"{getattr(store, 'location', store)}: this store keeps no ACLED numbers")
    return cast(_SqlStore, store)


def _marker(conn: Any) -> str:
    return "?" if type(conn).__module__.startswith("sqlite3") else "%s"


def assign(
    store: Any, keys: Sequence[ExportKey], now: int | None = None
) -> dict[str, AcledIdent]:
    """The ident of every key's event, allocating numbers (and bumping timestamps) as needed."""
    sql = _sql(store)
    with sql._read() as conn:
        known = _known(conn, [k.event_id for k in keys])
    if all(_current(known.get(k.event_id), k) for k in keys):
        return {k.event_id: _ident(known[k.event_id]) for k in keys}
    stamp = int(time.time()) if now is None else now
    with sql._write("acled_numbers") as conn:
        q = _marker(conn)
        if q == "%s":  # PostgreSQL: one allocator at a time, readers unhindered
            conn.execute("LOCK TABLE acled_numbers IN SHARE ROW EXCLUSIVE MODE")
        known = _known(conn, [k.event_id for k in keys])
        for key in keys:
            row = known.get(key.event_id)
            if row is not None and row[0] == key.iso3:
                if row[2] != key.digest:
                    conn.execute(f"UPDATE acled_numbers SET row_digest = {q}, updated_at = {q} "
                                 f"WHERE event_id = {q}", (key.digest, stamp, key.event_id))
                    known[key.event_id] = (row[0], row[1], key.digest, stamp)
                continue
            # New, or moved to another country: the next number of its (new) country.
            top = conn.execute(f"SELECT MAX(number) FROM acled_numbers WHERE iso3 = {q}",
                               (key.iso3,)).fetchone()[0]
            number = int(top or 0) + 1
            conn.execute(f"DELETE FROM acled_numbers WHERE event_id = {q}", (key.event_id,))
            conn.execute(
                "INSERT INTO acled_numbers (event_id, iso3, number, row_digest, updated_at) "
                f"VALUES ({q}, {q}, {q}, {q}, {q})",
                (key.event_id, key.iso3, number, key.digest, stamp))
            known[key.event_id] = (key.iso3, number, key.digest, stamp)
    return {k.event_id: _ident(known[k.event_id]) for k in keys}


Row = tuple[str, int, str, int]  # iso3, number, row digest, updated at


def _current(row: Row | None, key: ExportKey) -> bool:
    return row is not None and row[0] == key.iso3 and row[2] == key.digest


def _known(conn: Any, event_ids: Sequence[str]) -> dict[str, Row]:
    q = _marker(conn)
    found: dict[str, Row] = {}
    for chunk in _chunks(event_ids, 500):
        marks = ", ".join([q] * len(chunk))
        for row in conn.execute(
            "SELECT event_id, iso3, number, row_digest, updated_at FROM acled_numbers "
            f"WHERE event_id IN ({marks})", tuple(chunk)
        ).fetchall():
            found[row[0]] = (row[1], int(row[2]), row[3], int(row[4]))
    return found


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ident(row: Row) -> AcledIdent:
    return AcledIdent(f"{row[0]}{row[1]}", row[3])


def provisional(keys: Sequence[ExportKey], now: int | None = None) -> Mapping[str, AcledIdent]:
    """Idents without a store (a one-off file): numbered per country in the given order."""
    stamp = int(time.time()) if now is None else now
    counters: dict[str, int] = {}
    idents: dict[str, AcledIdent] = {}
    for key in keys:
        counters[key.iso3] = counters.get(key.iso3, 0) + 1
        idents[key.event_id] = AcledIdent(f"{key.iso3}{counters[key.iso3]}", stamp)
    return idents
