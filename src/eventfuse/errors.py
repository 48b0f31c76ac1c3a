"""One exception hierarchy for the project; third-party errors are converted at the boundary."""

from __future__ import annotations


class EventfuseError(Exception):
    """Base of every error eventfuse raises on purpose."""


class InputError(EventfuseError):
    """An input source could not be read. The message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(EventfuseError):
    """The database could not be opened, migrated or written."""


class ConfigError(EventfuseError):
    """A setting or user data file is invalid."""
