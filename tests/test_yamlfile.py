"""The C-parser YAML loader gives the packaged data files the values the safe loader gives."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from eventfuse.yamlfile import load_yaml

PACKAGED = sorted(
    (entry for entry in resources.files("eventfuse").joinpath("data").iterdir()
     if entry.name.endswith((".yaml", ".yml"))),
    key=lambda entry: entry.name,
)


def test_there_are_data_files_to_compare() -> None:
    assert len(PACKAGED) >= 10


@pytest.mark.parametrize("entry", PACKAGED, ids=lambda entry: entry.name)
def test_packaged_file_loads_to_the_same_values(entry: resources.abc.Traversable) -> None:
    text = entry.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_uses_the_c_parser_when_pyyaml_has_it() -> None:
    import eventfuse.yamlfile as yamlfile

    if yaml.__with_libyaml__:
        assert yamlfile._LOADER is yaml.CSafeLoader


def test_bad_yaml_raises_the_yaml_error_callers_catch() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("key: [unclosed\n")


def test_no_python_objects_are_built() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
