"""The PLOVER ontology (data/plover_ontology.yaml): categories, their modes, old names, counts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

from eventfuse.yamlfile import load_yaml


@functools.cache
def get_ontology() -> Mapping[str, Any]:
    """data/plover_ontology.yaml: categories with modes, old-name map, quantity kinds."""
    path = resources.files("eventfuse.data").joinpath("plover_ontology.yaml")
    data: Mapping[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def categories() -> tuple[str, ...]:
    """The PLOVER categories, in the data file's order."""
    return tuple(get_ontology()["categories"])


@functools.cache
def record_categories() -> frozenset[str]:
    """What a record's ``type`` may be: a PLOVER category or the untyped category."""
    return frozenset((*categories(), get_ontology()["untyped"]))


@functools.cache
def modes(category: str) -> frozenset[str]:
    """The modes a happening of ``category`` may have (none for an unknown category)."""
    return frozenset(get_ontology()["categories"].get(category) or ())
