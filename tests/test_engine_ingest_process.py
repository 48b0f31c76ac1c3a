"""A run with workers ingests in a forked process while its own process warms up for
extraction (issue 19: the run's serial phases). What must hold: the store and the report are
those of an ingest in the run's process; an error in the ingest process fails the run with the
same type and text, after what it stored; a run with nothing new loads nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from eventfuse.engines import local
from eventfuse.engines.local import run
from eventfuse.errors import InputError, StoreError
from eventfuse.extract import workers as workers_module
from eventfuse.records import Article
from eventfuse.settings import Options, load_options
from eventfuse.store import open_store
from eventfuse.store.sql import SQLStore

# Invented reports, each with a happening the rules extract.
TEXTS = [
    ("Dockers strike", "Dock workers in Antwerp went on strike on Monday over pay, the union "
     "said."),
    ("Blast at market", "A bomb exploded at a market in Kano on Tuesday, injuring two traders, "
     "police said."),
    ("Farmers march", "Hundreds of farmers marched to the ministry in Kampala on Wednesday to "
     "demand lower seed prices."),
    ("Arrest after fire", "Police in Bristol arrested a man on Thursday after a shop was set "
     "on fire, officers said."),
    ("Shooting outside bar", "A gunman shot and killed two people outside a bar in Omaha early "
     "Friday, the police chief said."),
]


def _items() -> list[Article | InputError]:
    articles: list[Article | InputError] = [
        Article(id=f"a{n}", text=text, title=title, published=dt.date(2023, 6, 5))
        for n, (title, text) in enumerate(TEXTS)]
    # an input the reader could not read: reported, across the process boundary too
    return [*articles[:2], InputError("invented.jsonl", "line 3: not JSON"), *articles[2:]]


def _options(workers: int) -> Options:
    return dataclasses.replace(load_options(), batch_size=2, n_process=workers)


def _rows(store: SQLStore) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but the wall-clock times (the change log; events' last change)."""
    return {t: [row[:1] for row in rows] if t == "event_updates" else rows
            for t, rows in store.dump().items() if t != "changes"}


def test_a_run_ingesting_beside_the_warm_up_stores_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    real_ingest, real_warm = local.ingest_articles, workers_module.warm

    def ingest(*args: Any, **kwargs: Any) -> Any:
        (calls / f"ingest-{os.getpid()}").touch()
        return real_ingest(*args, **kwargs)

    def warm(*args: Any, **kwargs: Any) -> Any:
        ingesting = [p.name for p in multiprocessing.active_children()]
        (calls / f"warm-{os.getpid()}-{'eventfuse-ingest' in ingesting}").touch()
        return real_warm(*args, **kwargs)

    monkeypatch.setattr(local, "ingest_articles", ingest)
    monkeypatch.setattr(workers_module, "warm", warm)
    stored = []
    for workers in (1, 2):
        with open_store(str(tmp_path / f"w{workers}.db")) as store:
            report = run(iter(_items()), store, _options(workers))
            stored.append((report.ingest, _rows(store), store.get_articles()))
        made = sorted(p.name for p in calls.iterdir())
        for p in calls.iterdir():
            p.unlink()
        if workers == 1:
            assert made == [f"ingest-{os.getpid()}"]
        else:  # ingest in another process; the warm-up here while it ran (and in the workers)
            assert [m for m in made if m.startswith("ingest")] != [f"ingest-{os.getpid()}"]
            assert f"warm-{os.getpid()}-True" in made
    (one, one_rows, one_articles), (two, two_rows, two_articles) = stored
    assert one.added == len(TEXTS) and [str(e) for e in one.errors] == [
        "invented.jsonl: line 3: not JSON"]
    assert two == dataclasses.replace(one, errors=two.errors)
    assert [(type(e), e.path, e.reason) for e in two.errors] == [
        (type(e), e.path, e.reason) for e in one.errors]
    assert two_rows == one_rows and one_rows["mentions"] and one_rows["events"]
    assert two_articles == one_articles  # in the same (ingestion) order


def test_a_run_with_nothing_new_warms_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed: list[int] = []
    with open_store(str(tmp_path / "again.db")) as store:
        run(iter(_items()), store, _options(2))
        monkeypatch.setattr(workers_module, "warm", lambda options: warmed.append(1))
        report = run(iter(_items()), store, _options(2))
    assert report.ingest.already_stored == len(TEXTS) and report.extracted_articles == 0
    assert warmed == []


def _failing_second_batch(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    real = SQLStore.add_articles
    done: list[int] = []

    def add_articles(self: SQLStore, *args: Any, **kwargs: Any) -> Any:
        if done:
            raise error
        done.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLStore, "add_articles", add_articles)


@pytest.mark.parametrize("error", [
    StoreError("invented.db: database or disk is full"),
    InputError("invented.jsonl", "an invented read failure"),
    ValueError("an invented bug"),
])
def test_a_failing_ingest_process_fails_the_run_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """The same type and text as an ingest in the run's process raises; the batch stored
    before the failure stays stored, and nothing is extracted."""
    raised = []
    for workers in (1, 2):
        _failing_second_batch(monkeypatch, error)
        with open_store(str(tmp_path / f"f{workers}.db")) as store:
            with pytest.raises(type(error)) as info:
                run(iter(_items()), store, _options(workers))
            raised.append((type(info.value), str(info.value)))
            assert [a.id for a in store.get_articles()] == ["a0", "a1"]
            assert store.get_mentions() == []
        monkeypatch.undo()
    assert raised[1] == raised[0] == (type(error), str(error))


def test_an_ingest_process_that_dies_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: Any, **kwargs: Any) -> Any:
        os._exit(9)

    monkeypatch.setattr(SQLStore, "add_articles", killed)
    with open_store(str(tmp_path / "k.db")) as store, \
            pytest.raises(StoreError, match="ingest of the run's inputs failed: its process "
                                            "ended with code 9"):
        run(iter(_items()), store, _options(2))


def test_a_batch_given_as_a_list_is_ingested_without_a_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API post (a list of a few articles): a fork would cost more than its ingest."""
    pids: list[int] = []
    real = local.ingest_articles

    def ingest(*args: Any, **kwargs: Any) -> Any:
        pids.append(os.getpid())
        return real(*args, **kwargs)

    monkeypatch.setattr(local, "ingest_articles", ingest)
    with open_store(str(tmp_path / "post.db")) as store:
        run(_items()[:2], store, _options(2))
        assert len(store.get_articles()) == 2
    assert pids == [os.getpid()]
