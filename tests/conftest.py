"""Shared fixtures: a clean PostgreSQL schema per test when a test server is configured, and
the development data folder ``../shared`` beside the checkout.

``EVENTFUSE_TEST_PG`` is a ``postgresql://`` URL of a database the tests may create schemas in
(.ci/run starts a server and sets it). Without it PostgreSQL tests skip, except under CI
(``$CI`` set), where a missing server must fail the run rather than silently test less. Tests
that read ``../shared`` follow the same rule: ``@needs_shared(path)`` or ``require_shared(path)``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, settings

PG_ENV = "EVENTFUSE_TEST_PG"
# The development data (seeds, labeled sets), read in place, never copied into the project.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Hypothesis budgets: "ci" (default, `make test`) is short and derandomized, so every run tries
# the same inputs; "long" (`make fuzz`, --hypothesis-profile=long) tries >= 10,000 per target.
_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, suppress_health_check=_FUZZ_HEALTH
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=_FUZZ_HEALTH
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _skip_outside_ci(reason: str, what: str) -> NoReturn:
    """Skip with ``reason``; under CI fail instead, so a CI run never silently tests less."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so {what} may not be skipped)")
    pytest.skip(reason)


def _require_pg_server() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    _skip_outside_ci(f"no PostgreSQL server: set {PG_ENV}", "PostgreSQL tests")


def require_shared(path: Path) -> Path:
    """``path`` (inside ``../shared``) when it exists; else skip, or fail under CI."""
    if not path.exists():
        _skip_outside_ci(f"{path} is missing (the development data ../shared sits beside the "
                         "checkout)", "tests of the development data")
    return path


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Mark a test (or ``pytestmark`` a module) as reading ``path``: see :func:`require_shared`."""
    return pytest.mark.needs_shared(path)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs_shared"):
        require_shared(mark.args[0])


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (libpq ``options=-c search_path=…``)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}', safe='')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose tables land in a fresh, empty schema, dropped after the test."""
    import psycopg  # only tests that use PostgreSQL need the driver

    base = _require_pg_server()
    schema = f"eventfuse_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def decode_log(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], list[str]]:
    """``decode_log(store)`` makes ``store`` note the table of every stored row it decodes, in
    the list it returns: what a listing read, not only what it answered."""

    def watch(store: Any) -> list[str]:
        decoded: list[str] = []
        original = store._decode

        def counting(cls: type[Any], table: str, text: str) -> Any:
            decoded.append(table)
            return original(cls, table, text)

        monkeypatch.setattr(store, "_decode", counting)
        return decoded

    return watch

