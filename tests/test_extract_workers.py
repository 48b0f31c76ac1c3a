"""Extraction in worker processes (issue 19, parts 1 and 5): each worker parses AND runs the
rules on its batch; the mentions, and their order, are those of one process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from pathlib import Path

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
