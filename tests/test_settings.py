"""The settings table documents every option, with the option's own default."""

from __future__ import annotations

import dataclasses

import pytest

from eventfuse.errors import ConfigError
from eventfuse.settings import SETTINGS, Options, load_options


def test_every_option_is_documented_with_its_default() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(Options)}
    table = {s.name: s.default for s in SETTINGS}
    assert table == fields
    assert all(s.help.strip().endswith(".") for s in SETTINGS)


def test_environment_then_overrides() -> None:
    options = load_options({"batch_size": 8}, environ={"EVENTFUSE_BATCH_SIZE": "4",
                                                       "EVENTFUSE_N_PROCESS": "2"})
    assert (options.batch_size, options.n_process) == (8, 2)


def test_bad_values_are_named() -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        load_options(environ={"EVENTFUSE_BATCH_SIZE": "many"})
    with pytest.raises(ConfigError, match="no_such"):
        load_options({"no_such": 1})
