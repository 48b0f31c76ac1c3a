"""Named, versioned schema migrations shipped as ``migrations/NNNN_name.sql`` package data.

Each migration runs once per database and is recorded in the ``schema_migrations`` table, so
opening a store twice, or from two processes at once, never re-applies one. One file serves
every backend: where SQLite and PostgreSQL types differ the file names a placeholder (``{key}``,
``{date}``, ``{flag}``, ``{false}``, ``{blob}``, ``{serial_key}``) that the dialect fills in;
a line starting ``{postgres_only}`` is a comment on SQLite, one starting ``{sqlite_only}`` a
comment on PostgreSQL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from eventfuse.errors import StoreError

MIGRATIONS_TABLE = "schema_migrations"
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
_TYPE_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Migration:
    version: str  # "0001": applied in this (string) order
    name: str  # "init"
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"


def parse_migration_name(file_name: str) -> tuple[str, str] | None:
    """(version, name) of a migration file name, None for files that are not migrations."""
    match = _FILE_NAME.match(file_name)
    return (match["version"], match["name"]) if match else None


def load_migrations(
    package: str = "eventfuse.store", folder: str = "migrations"
) -> list[Migration]:
    """Every migration shipped in ``package/folder``, ordered by version."""
    migrations: list[Migration] = []
    for entry in resources.files(package).joinpath(folder).iterdir():
        parsed = parse_migration_name(entry.name)
        if parsed is not None:
            migrations.append(Migration(parsed[0], parsed[1], entry.read_text(encoding="utf-8")))
    return check_order(migrations)


def check_order(migrations: list[Migration]) -> list[Migration]:
    """The migrations sorted by version; two files with one version are a packaging error."""
    ordered = sorted(migrations, key=lambda m: m.version)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.version == later.version:
            raise StoreError(f"two migrations with version {earlier.version}: "
                             f"{earlier.label}, {later.label}")
    return ordered


def typed(sql: str, types: Mapping[str, str]) -> str:
    """A migration's SQL with its type placeholders (``{key}``, ``{date}``...) filled in for one
    backend; any other text, braces included, is left as it is."""

    def fill(match: re.Match[str]) -> str:
        return types.get(match[1], match[0])

    return _TYPE_PLACEHOLDER.sub(fill, sql)
