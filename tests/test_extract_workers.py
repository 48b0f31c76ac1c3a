"""Extraction in worker processes (issue 19, parts 1 and 5): each worker parses AND runs the
rules on its batch; the mentions, and their order, are those of one process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventfuse.engines.local import run
from eventfuse.extract import article as article_module
from eventfuse.extract import extract_articles, extract_batches
from eventfuse.nlp import doc_text, parse_one
from eventfuse.records import Article
from eventfuse.settings import Options, load_options
from eventfuse.store import open_store

# Invented reports, each with a happening the rules extract.
TEXTS = [
    ("Workers strike at port", "Dock workers in Rotterdam went on strike on Monday over pay, "
     "the union said. About 300 workers joined the walkout."),
    ("Two hurt in market blast", "A bomb exploded at a market in Kaduna on Tuesday, injuring "
     "two traders, police said."),
    ("Farmers march on ministry", "Hundreds of farmers marched to the agriculture ministry in "
     "Nairobi on Wednesday to demand lower fertilizer prices."),
    ("Police arrest suspect", "Police in Leeds arrested a 34-year-old man on Thursday after a "
     "shop was set on fire, officers said."),
    ("Gunman kills three", "A gunman shot and killed three people outside a bar in Tulsa early "
     "Friday, the police chief said."),
    ("Students protest fees", "Students protested against higher tuition fees outside the "
     "parliament in Santiago on Saturday."),
    ("Rebels attack convoy", "Rebels attacked an army convoy near Goma on Sunday, killing four "
     "soldiers, the army said."),
]


def _articles() -> list[Article]:
    return [Article(id=f"a{n}", text=text, title=title, published=dt.date(2023, 5, 8))
            for n, (title, text) in enumerate(TEXTS)]


def _options(workers: int) -> Options:
    # batch_size 2: seven articles make four batches, so both workers get several
    return dataclasses.replace(load_options(), batch_size=2, n_process=workers)


def test_workers_extract_what_one_process_extracts() -> None:
    one = extract_articles(_articles(), _options(1))
    two = extract_articles(_articles(), _options(2))
    assert len({m.article_id for m in one}) >= 5  # most invented reports give a mention
    assert two == one
    # input order: article by article, as one process yields them
    order = [m.article_id for m in two]
    assert order == sorted(order, key=lambda a: int(a[1:]))


def test_the_rules_run_in_the_workers_not_in_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = article_module.run_components

    def recorded(*args: object, **kwargs: object) -> object:
        (tmp_path / f"{os.getpid()}-{uuid.uuid4().hex}").touch()  # which process ran them
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(article_module, "run_components", recorded)
    batches = [_articles()[:3], _articles()[3:5], _articles()[5:]]
    found = list(extract_batches(batches, _options(2), workers=2))
    assert [ids for ids, _ in found] == [["a0", "a1", "a2"], ["a3", "a4"], ["a5", "a6"]]
    runs = [p.name.split("-")[0] for p in tmp_path.iterdir()]
    caller = str(os.getpid())
    # the caller ran the rules once, on its warm-up article (loaders loaded before forking)
    assert runs.count(caller) == 1
    assert len([r for r in runs if r != caller]) == len(TEXTS)
    assert [m for _, ms in found for m in ms] == extract_articles(_articles(), _options(1))


def test_a_run_with_workers_stores_what_one_process_stores(tmp_path: Path) -> None:
    stored = []
    for workers in (1, 2):
        with open_store(str(tmp_path / f"w{workers}.db")) as store:
            run(iter(_articles()), store, _options(workers))
            stored.append((store.get_mentions(), store.get_events()))
    assert stored[0][0] and stored[1] == stored[0]


def test_workers_get_ahead_batches_before_the_first_result() -> None:
    """``ahead``: what a run queues so the workers extract while it fuses a slice."""
    pulled: list[int] = []

    def batches() -> Iterator[list[Article]]:
        for n, one in enumerate(_articles()):
            pulled.append(n)
            yield [one]

    found = extract_batches(batches(), _options(2), workers=2, ahead=5)
    first_ids, _ = next(found)
    assert first_ids == ["a0"]
    assert len(pulled) == 6  # the first batch and five more queued before it was handed back
    assert [ids for ids, _ in found] == [[f"a{n}"] for n in range(1, len(TEXTS))]


def test_a_sliced_run_with_workers_ahead_stores_what_one_process_stores(tmp_path: Path) -> None:
    """Slices fused while the workers extract the next slice: the same store as one process
    fusing each slice after extracting it (the next slice's mentions are stored after)."""
    stored = []
    for workers, overlap in ((1, 0), (2, 6)):
        options = dataclasses.replace(_options(workers), batch_size=1, fuse_every=2,
                                      fuse_overlap=overlap)
        with open_store(str(tmp_path / f"w{workers}.db")) as store:
            report = run(iter(_articles()), store, options)
            assert report.extracted_articles == len(TEXTS)
            stored.append((store.get_mentions(), store.get_events(), report.changes))
    assert stored[0][0] and stored[1][:2] == stored[0][:2]
    # the change log attributes each change to the same slice's articles
    assert [(c.kind, c.event_id, c.article_id) for c in stored[1][2]] == [
        (c.kind, c.event_id, c.article_id) for c in stored[0][2]]


def test_slices_fuse_in_a_process_beside_the_workers_and_the_last_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slice's fusion runs in a forked process while the workers extract (workers the
    pool forks meanwhile do not inherit the fusion's objects); the last, after the workers,
    in the run's own process."""
    import multiprocessing

    from eventfuse.engines import local

    real = local.fuse_recording_changes
    calls = tmp_path / "calls"
    calls.mkdir()

    def recorded(*args: Any, **kwargs: Any) -> Any:
        workers = len([p for p in multiprocessing.active_children()
                       if p.name != "eventfuse-fusion"])
        (calls / f"{len(list(calls.iterdir()))}-{os.getpid()}-{workers}").touch()
        return real(*args, **kwargs)

    monkeypatch.setattr(local, "fuse_recording_changes", recorded)
    options = dataclasses.replace(_options(2), batch_size=1, fuse_every=3, fuse_overlap=2)
    with open_store(str(tmp_path / "s.db")) as store:
        report = run(iter(_articles()), store, options)
        events = store.get_events()
    made = sorted((int(n), int(pid), int(w)) for n, pid, w in
                  (p.name.split("-") for p in calls.iterdir()))
    assert len(made) == 3  # slices of 3, 3 and 1
    assert all(pid != os.getpid() for _, pid, _ in made[:2])
    assert made[-1][1] == os.getpid() and made[-1][2] == 0
    assert events and report.changes  # what the fusion processes did reached the store


def test_fusion_processes_write_to_postgresql(tmp_path: Path, pg_url: str) -> None:
    """The forked fusion opens its own connection to the server (the inherited one is never
    used); the store ends as a one-process SQLite run leaves it."""
    base = dataclasses.replace(_options(1), batch_size=1, fuse_every=3)
    with open_store(str(tmp_path / "one.db")) as store:
        run(iter(_articles()), store, base)
        expected = (store.get_mentions(), store.get_events())
    with open_store(pg_url) as store:
        run(iter(_articles()), store, dataclasses.replace(base, n_process=2, fuse_overlap=2))
        assert (store.get_mentions(), store.get_events()) == expected


def test_a_failed_fusion_process_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventfuse.engines import local
    from eventfuse.errors import StoreError

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("disk full (invented)")

    monkeypatch.setattr(local, "fuse_recording_changes", failing)
    options = dataclasses.replace(_options(2), batch_size=1, fuse_every=3, fuse_overlap=2)
    with open_store(str(tmp_path / "f.db")) as store, \
            pytest.raises(StoreError, match="disk full"):
        run(iter(_articles()), store, options)


def test_doc_text_is_built_once_per_doc() -> None:
    doc = parse_one("Protesters gathered in Lyon on Monday.")
    first = doc_text(doc)
    assert first == doc.text
    assert doc_text(doc) is first  # cached, not joined from the tokens again


def _any_cue_reference(cues: list[str], text: str, lemmas: frozenset[str]) -> bool:
    """The cue test as it was written before it was compiled (one substring search per cue)."""
    return any(
        f" {cue} " in text
        or ("-" in cue and f" {cue.replace('-', ' - ')} " in text)
        or (" " not in cue and cue in lemmas)
        for cue in cues
    )


@pytest.mark.parametrize("cues", [
    ["march"], ["sit-in"], ["set fire", "torch"], ["fire"], ["in"], [""], ["ran", "run"],
    ["police officers"], ["-"], ["officer s"],
])
@pytest.mark.parametrize("text", [
    " police officers set fire to a car ", " a sit - in at the hall ", " a sit-in at the hall ",
    "  students staged a sit-in  ", " they ran ", "fire at start ", " the march , in town ",
    " ", " officer s ",
])
def test_compiled_cues_match_what_each_cue_matched(cues: list[str], text: str) -> None:
    from eventfuse.extract.events import _compile_cues, _pieces

    lemmas = frozenset({"run", "march"})
    compiled = _compile_cues(cues)
    assert compiled.found(text, lemmas, _pieces(text)) == _any_cue_reference(cues, text, lemmas)


def _docs_alive() -> int:
    import gc

    from spacy.tokens import Doc

    return sum(1 for o in gc.get_objects() if isinstance(o, Doc))


def test_a_workers_batch_leaves_no_parse_behind() -> None:
    """A batch's Docs sit in reference cycles after extraction: a worker collects them at the
    end of each batch instead of holding them until a rare full collection (its memory)."""
    import gc

    from eventfuse.extract.workers import extract_batch, extract_batch_collected

    articles, options = _articles(), _options(1)
    extract_batch(articles, options)  # everything lazily loaded is loaded (headline Docs kept)
    gc.collect()
    before = _docs_alive()
    gc.disable()
    try:
        plain = extract_batch(articles, options)
        assert _docs_alive() > before  # the parses outlive the call: cycles, not refcounts
        gc.collect()
        assert _docs_alive() == before
        collected = extract_batch_collected(articles, options)
        assert _docs_alive() == before
    finally:
        gc.enable()
    assert collected == plain


def test_a_batch_is_parsed_a_few_texts_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """``parse_batch`` bounds the texts the parser holds at once (its peak memory); the
    mentions are those of one parse of the whole batch."""
    from eventfuse.extract import firstpass
    from eventfuse.extract.workers import extract_batch

    articles = _articles()
    whole = extract_batch(articles, dataclasses.replace(_options(1), batch_size=7,
                                                        parse_batch=32))
    asked: list[int] = []
    parse_texts = firstpass.parse_texts

    def recording(texts: list[str], batch_size: int = 32, first_pass: bool = False) -> object:
        asked.append(batch_size)
        return parse_texts(texts, batch_size=batch_size, first_pass=first_pass)

    monkeypatch.setattr(firstpass, "parse_texts", recording)
    few = extract_batch(articles, dataclasses.replace(_options(1), batch_size=7, parse_batch=2))
    assert asked == [2]
    assert few == whole


def test_an_error_that_cannot_cross_processes_is_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error whose pickle does not load back (InputError takes two arguments) reaches the
    run as a StoreError carrying its text, not as an unpickling crash."""
    from eventfuse.engines import local
    from eventfuse.errors import InputError, StoreError

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise InputError("invented.jsonl", "an invented failure")

    monkeypatch.setattr(local, "fuse_recording_changes", failing)
    options = dataclasses.replace(_options(2), batch_size=1, fuse_every=3, fuse_overlap=2)
    with open_store(str(tmp_path / "e.db")) as store, \
            pytest.raises(StoreError, match="an invented failure"):
        run(iter(_articles()), store, options)


def test_a_runs_last_batches_are_halves_so_its_workers_end_together() -> None:
    from eventfuse.engines.local import in_batches

    ids = [f"a{n}" for n in range(200)]
    parts = in_batches(ids, 32, workers=2)
    # the last four batches' articles (2 workers) in batches of 16
    assert [len(p) for p in parts] == [32, 32, 32, 16, 16, 16, 16, 16, 16, 8]
    assert [i for p in parts for i in p] == ids
    assert [len(p) for p in in_batches(ids, 32, workers=1)] == [32] * 6 + [8]
    assert [len(p) for p in in_batches(ids[:40], 32, workers=2)] == [16, 16, 8]
    assert in_batches([], 32, workers=2) == []
