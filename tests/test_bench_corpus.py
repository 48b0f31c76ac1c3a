"""The synthetic benchmark corpus (bench/corpus.py): counts, shape, variation, determinism."""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

CORPUS_PY = Path(__file__).resolve().parents[1] / "bench" / "corpus.py"
N_ARTICLES = 400


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


corpus = _load_module()


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench_corpus")
    assert corpus.main(["--articles", str(N_ARTICLES), "--seed", "7", "--out", str(out)]) == 0
    return out


def _digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(
        (folder / name).read_bytes() for name in ("articles.jsonl", "truth.jsonl", "events.jsonl")
    )).hexdigest()


def test_counts_and_fields(generated: Path) -> None:
    articles = _jsonl(generated / "articles.jsonl")
    truth = _jsonl(generated / "truth.jsonl")
    assert len(articles) == len(truth) == N_ARTICLES
    assert all(set(a) == {"id", "text", "title", "url", "published", "outlet"} for a in articles)
    assert [a["id"] for a in articles] == [t["id"] for t in truth]
    assert len({a["id"] for a in articles}) == N_ARTICLES
    assert len({a["outlet"] for a in articles}) >= 15


def test_lengths_are_realistic(generated: Path) -> None:
    lengths = [len(str(a["text"]).split()) for a in _jsonl(generated / "articles.jsonl")]
    assert min(lengths) >= corpus.MIN_WORDS and max(lengths) <= corpus.MAX_WORDS
    assert max(lengths) - min(lengths) > 300  # spread, not one size


def test_articles_in_publication_order(generated: Path) -> None:
    dates = [str(a["published"]) for a in _jsonl(generated / "articles.jsonl")]
    assert dates == sorted(dates)


def test_truth_matches_events(generated: Path) -> None:
    truth = _jsonl(generated / "truth.jsonl")
    events = {str(e["id"]): e for e in _jsonl(generated / "events.jsonl")}
    reported = collections.Counter(str(t["event_id"]) for t in truth if t["event_id"])
    assert set(reported) == set(events)
    assert all(reported[i] == e["reports"] for i, e in events.items())
    unrelated = sum(1 for t in truth if t["event_id"] is None)
    assert unrelated == N_ARTICLES - round(N_ARTICLES * corpus.EVENT_SHARE)


def test_events_are_reported_by_several_outlets(generated: Path) -> None:
    articles = {str(a["id"]): a for a in _jsonl(generated / "articles.jsonl")}
    outlets: dict[str, list[str]] = collections.defaultdict(list)
    for t in _jsonl(generated / "truth.jsonl"):
        if t["event_id"]:
            outlets[str(t["event_id"])].append(str(articles[str(t["id"])]["outlet"]))
    assert all(len(set(names)) == len(names) for names in outlets.values())
    assert sum(1 for names in outlets.values() if len(names) >= 3) >= 10


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def test_reports_of_one_event_vary_but_wire_copies_are_near_duplicates(generated: Path) -> None:
    texts = {str(a["id"]): str(a["text"]) for a in _jsonl(generated / "articles.jsonl")}
    truth = _jsonl(generated / "truth.jsonl")
    by_report = {str(t["report"]): str(t["id"]) for t in truth if t["report"]}
    copies = [t for t in truth if t["copy_of"]]
    assert copies
    for t in copies:
        a, b = _shingles(texts[str(t["id"])]), _shingles(texts[by_report[str(t["copy_of"])]])
        assert len(a & b) / len(a | b) >= 0.9
    leads: dict[str, set[str]] = collections.defaultdict(set)
    for t in truth:
        if t["event_id"] and not t["copy_of"]:
            leads[str(t["event_id"])].add(texts[str(t["id"])].split("\n\n")[0])
    assert any(len(first_lines) >= 3 for first_lines in leads.values())


def test_relative_dates_and_spelling_variants_occur(generated: Path) -> None:
    articles = _jsonl(generated / "articles.jsonl")
    joined = "\n".join(str(a["text"]) for a in articles)
    assert re.search(r"\b(yesterday|on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                     r"Sunday)( night| morning| evening)?)\b", joined)
    events = _jsonl(generated / "events.jsonl")
    variants = {v for e in events for v in e["city"]["variants"]}  # type: ignore[index]
    assert any(re.search(rf"\b{re.escape(v)}\b", joined) for v in variants)


def test_same_seed_same_bytes_other_seed_other_corpus(generated: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    corpus.write_corpus(again, N_ARTICLES, 7)
    corpus.write_corpus(other, N_ARTICLES, 8)
    assert _digest(again) == _digest(generated)
    assert _digest(other) != _digest(generated)


def test_rejects_zero_articles(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        corpus.main(["--articles", "0", "--out", str(tmp_path)])
