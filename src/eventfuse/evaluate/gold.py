"""PLOVER gold records and JSON Lines reading, shared by evaluation and training (a module of
its own so that neither imports the other)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventfuse.errors import EventfuseError
from eventfuse.extract.events import normalize_category


class EvaluationError(EventfuseError):
    """The gold file cannot be read."""


@dataclass(frozen=True, slots=True)
class GoldRecord:
    id: str
    text: str
    event: str
    mode: str | None
    sources: tuple[tuple[str | None, str | None], ...]  # (actorText, code)
    targets: tuple[tuple[str | None, str | None], ...]


def read_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line of a JSON Lines file; errors name the file
    and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvaluationError(f"[V001] cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"[V002] {path}:{number}: not JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise EvaluationError(f"[V002] {path}:{number}: not a JSON object")
        yield number, raw


def read_gold(path: Path) -> list[GoldRecord]:
    """PLOVER GSR JSON Lines; old category names are mapped to current ones."""
    records = []
    for number, raw in read_json_lines(path):
        event, mode = normalize_category(str(raw["event"]), raw.get("mode") or None)
        records.append(
            GoldRecord(
                id=str(raw.get("id", number)),
                text=str(raw["text"]),
                event=event,
                mode=mode,
                sources=tuple(_actors(raw.get("source"))),
                targets=tuple(_actors(raw.get("target"))),
            )
        )
    return records


def _actors(value: Any) -> Iterator[tuple[str | None, str | None]]:
    if not isinstance(value, list):
        return
    for item in value:
        if isinstance(item, Mapping):
            yield item.get("actorText") or None, item.get("code") or None
