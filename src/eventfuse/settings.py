"""Every setting in one table: (name, default, help). Defaults, then environment, then flags.

Environment variables are ``EVENTFUSE_<NAME>`` in upper case. Thresholds and limits live here, not
scattered in code, so a user can change them and a test can check each one is documented.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventfuse.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "eventfuse.db", "SQLite file path or postgresql:// URL of the store."),
    Setting("max_file_bytes", 10_000_000,
            "Single-article inputs, and each record of a container, larger than this are refused"
            " (bytes)."),
    Setting("max_container_bytes", 200_000_000,
            "JSON Lines, feed and WARC inputs larger than this are refused (bytes)."),
    Setting("max_decompressed_bytes", 50_000_000, "Decompressed size limit of a gzip input."),
    Setting("max_text_chars", 200_000, "Article text beyond this many characters is cut."),
    Setting("near_duplicate_jaccard", 0.9, "MinHash Jaccard at which articles are wire copies "
            "(above 1: none is; signatures are still stored for later runs)."),
    Setting("max_parsed_chars", 60_000,
            "Characters of one article parsed at most (cut at a sentence end; a warning says so)."),
    Setting("max_parsed_sentences", 600,
            "Sentences of one article parsed at most (0: no limit; a warning names the article)."),
    Setting("minhash_permutations", 64, "MinHash permutations per article signature."),
    Setting("batch_size", 32, "Articles per nlp.pipe batch and per store transaction."),
    Setting("parse_batch", 16, "Texts of a batch spaCy parses at once: the parser's buffers grow "
            "with it (peak ~340 MB more at 32 gva-dev articles, ~230 at 16; the same parses)."),
    Setting("n_process", 1, "Processes for spaCy extraction."),
    Setting("fuse_every", 5000, "A run of more new articles than this extracts and fuses them "
            "in slices of this many, oldest first: memory follows a slice, not the run "
            "(0: one fusion at the end)."),
    Setting("fuse_overlap", 1024, "Articles of the next slice queued for the workers while a "
            "sliced run fuses one: they extract during the fusion (~30 s a slice of 5,000) "
            "instead of waiting for it; results and store are the same."),
    Setting("first_pass", False,
            "Parse in full only the lead and the sentences with a word that can be an event "
            "trigger; the rest gets NER only (faster; docs/benchmarks.md)."),
    Setting("doc_timeout_seconds", 30.0, "Per-document processing time limit."),
    Setting("match_threshold", 0.5, "Pairwise score at which two mentions are one event."),
    Setting("date_window_days", 3, "Mentions further apart in time than this are never one event."),
    Setting(
        "fusion_max_block_pairs",
        200_000,
        "Mention pairs one fusion block may score; beyond it each mention pairs with its nearest.",
    ),
    Setting("outlet_regions", "", "A YAML file naming outlets' home regions, one 'outlet: "
            "Region, CC' a line (the outlet's name or its URL's host: 'example.com: Georgia, "
            "US'); rule outlet_home takes them before the regions it learns from the stored "
            "articles."),
    Setting("disabled_rules", "", "Extraction rules switched off, comma-separated ids (ablation; "
            "ids in extract/pipeline.py RULES)."),
    Setting("background_days", 60, "A clause dated more than this many days before publication "
            "is background history, not a reported happening."),
    Setting("feed_entries", 50, "Entries of one Atom feed page, the most recently changed events "
            "(?limit= asks for up to 200)."),
    Setting("salience_threshold", 0.4, "Salience from which a happening beyond an article's first "
            "is reported."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Options:
    db: str = "eventfuse.db"
    max_file_bytes: int = 10_000_000
    max_container_bytes: int = 200_000_000
    max_decompressed_bytes: int = 50_000_000
    max_text_chars: int = 200_000
    max_parsed_chars: int = 60_000
    max_parsed_sentences: int = 600
    near_duplicate_jaccard: float = 0.9
    minhash_permutations: int = 64
    batch_size: int = 32
    parse_batch: int = 16
    n_process: int = 1
    fuse_every: int = 5000
    fuse_overlap: int = 1024
    first_pass: bool = False
    doc_timeout_seconds: float = 30.0
    match_threshold: float = 0.5
    date_window_days: int = 3
    fusion_max_block_pairs: int = 200_000
    outlet_regions: str = ""
    disabled_rules: str = ""
    background_days: int = 60
    salience_threshold: float = 0.4
    feed_entries: int = 50


def load_options(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Options:
    """Defaults, then ``EVENTFUSE_*`` environment variables, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(f"EVENTFUSE_{setting.name.upper()}")
        if raw is not None:
            values[setting.name] = _coerce(setting, raw)
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _coerce(_BY_NAME[name], value)
    return dataclasses.replace(Options(), **values)


def _coerce(setting: Setting, value: Any) -> Any:
    kind = type(setting.default)
    if kind is bool and isinstance(value, str):  # bool("false") is True
        word = value.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"setting {setting.name}: {value!r} is not a bool")
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {setting.name}: {value!r} is not a {kind.__name__}") from exc
