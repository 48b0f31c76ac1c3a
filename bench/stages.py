"""One benchmark stage per process, so each stage's peak RSS is its own.

    python bench/stages.py STAGE WORKDIR [key=value ...]

prints one JSON object (the stage's figures) on stdout. bench/run.py drives these; a stage can
also run against another source tree (``PYTHONPATH=/tmp/old/src``) for before/after figures.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

Figures = dict[str, Any]


def peak_rss_mb() -> float:
    """Peak resident set of this process or any child it waited for (spaCy workers), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_articles(work: Path) -> list[Any]:
    from eventfuse.records import Article, from_dict

    return [from_dict(Article, row) for row in read_jsonl(work / "ingested.jsonl")]


def load_mentions(path: Path) -> list[Any]:
    from eventfuse.records import Mention, from_dict

    return [from_dict(Mention, row) for row in read_jsonl(path)]


def write_jsonl(path: Path, records: Iterable[Any]) -> None:
    from eventfuse.records import to_dict

    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(to_dict(record), ensure_ascii=False) + "\n")


def warm_model() -> None:
    """Load spaCy before timing fusion: in a run, extraction has already loaded it."""
    from eventfuse.nlp import get_nlp

    get_nlp()


def words(texts: Iterable[str]) -> int:
    return sum(len(t.split()) for t in texts)


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


# --- stages -----------------------------------------------------------------------------------


def stage_ingest(work: Path, args: dict[str, str]) -> Figures:
    """Read the corpus JSON Lines and store the articles (near-duplicate links included)."""
    from eventfuse.engines.local import ingest_articles
    from eventfuse.ingest import read_sources
    from eventfuse.settings import load_options
    from eventfuse.store import open_store

    options = load_options()
    db = work / "stages.db"
    db.unlink(missing_ok=True)

    def ingest() -> tuple[Any, list[Any]]:
        items = list(read_sources([str(work / "articles.jsonl")], options))
        with open_store(str(db)) as store:
            report = ingest_articles(items, store, options)
            stored = store.get_articles()
        return report, stored

    (report, stored), seconds = timed(ingest)
    write_jsonl(work / "ingested.jsonl", stored)
    return {"articles": report.added, "words": words(a.text for a in stored),
            "copies": report.copies, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def stage_extract(work: Path, args: dict[str, str]) -> Figures:
    """Bare ``nlp.pipe`` and ``extract_articles`` on the same texts, model, batch and processes."""
    import dataclasses

    from eventfuse.extract import extract_articles
    from eventfuse.nlp import get_nlp
    from eventfuse.settings import load_options

    batch_size, n_process = int(args["batch_size"]), int(args["n_process"])
    options = dataclasses.replace(load_options(), batch_size=batch_size, n_process=n_process)
    articles = load_articles(work)
    limit = int(args.get("limit", len(articles)))
    articles = articles[:limit]
    texts = [a.text for a in articles]
    nlp = get_nlp()
    list(nlp.pipe(texts[:2]))  # warm up: both runs start with the model loaded
    _, pipe_seconds = timed(lambda: sum(1 for _ in nlp.pipe(
        texts, batch_size=batch_size, n_process=n_process)))
    mentions, extract_seconds = timed(lambda: extract_articles(articles, options))
    if "out" in args:
        write_jsonl(work / args["out"], mentions)
    return {"articles": len(articles), "words": words(texts), "mentions": len(mentions),
            "batch_size": batch_size, "n_process": n_process,
            "pipe_seconds": pipe_seconds, "seconds": extract_seconds,
            "ratio_to_pipe": pipe_seconds / extract_seconds, "peak_rss_mb": peak_rss_mb()}


def stage_fuse(work: Path, args: dict[str, str]) -> Figures:
    """Fuse the extracted mentions, score against the ground truth, then store the result."""
    from eventfuse.fuse import fuse

    articles = load_articles(work)
    mentions = load_mentions(work / args.get("mentions", "mentions.jsonl"))
    warm_model()
    result, seconds = timed(lambda: fuse(mentions, articles))
    figures: Figures = {"articles": len(articles), "words": words(a.text for a in articles),
                        "mentions": len(mentions), "events": len(result.events),
                        "seconds": seconds, "peak_rss_mb": peak_rss_mb()}
    figures["quality"] = fusion_quality(work, articles, mentions, result.events)
    if args.get("store") == "1":
        figures["store"] = store_results(work / "stages.db", articles, mentions, result.events)
    return figures


def store_results(db: Path, articles: Sequence[Any], mentions: Sequence[Any],
                  events: Sequence[Any]) -> Figures:
    """Write mentions then events into the ingest stage's database, one transaction each."""
    from eventfuse.store import open_store

    with open_store(str(db)) as store:
        _, mention_seconds = timed(lambda: store.put_mentions([a.id for a in articles], mentions))
        _, event_seconds = timed(lambda: store.put_events(events, ()))
    return {"mentions": len(mentions), "events": len(events), "mention_seconds": mention_seconds,
            "event_seconds": event_seconds, "seconds": mention_seconds + event_seconds}


def fusion_quality(work: Path, articles: Sequence[Any], mentions: Sequence[Any],
                   events: Sequence[Any]) -> Figures:
    """B³ / CoNLL F1 on the lead-sentence mentions (see docs/benchmarks.md for the key)."""
    from eventfuse.evaluate.metrics import b_cubed, conll_f1

    by_corpus_id = {row["id"]: row for row in read_jsonl(work / "truth.jsonl")}
    # Stored articles get eventfuse's own ids; the corpus id is kept as ``source_id``.
    truth = {a.id: by_corpus_id[a.source_id] for a in articles if a.source_id in by_corpus_id}
    texts = {a.id: a.text for a in articles}
    key: dict[str, list[str]] = {}
    for mention in mentions:
        row = truth.get(mention.article_id)
        if row is None or mention.sentence is None:
            continue
        if mention.sentence.start >= lead_end(texts[mention.article_id], row):
            continue
        # Unrelated news: each lead mention is its own happening (merging them is wrong).
        key.setdefault(row["event_id"] or mention.id, []).append(mention.id)
    keyed = {m for cluster in key.values() for m in cluster}
    response = [[m for m in e.mention_ids if m in keyed] for e in events]
    response = [c for c in response if c]
    b3 = b_cubed(list(key.values()), response)
    events_found = {truth[m.article_id]["event_id"] for m in mentions if m.id in keyed} - {None}
    true_events = {row["event_id"] for row in by_corpus_id.values()} - {None}
    return {"key_mentions": len(keyed), "key_clusters": len(key),
            "true_events": len(true_events), "true_events_with_lead_mention": len(events_found),
            "b3_precision": b3.precision, "b3_recall": b3.recall, "b3_f1": b3.f1,
            "conll_f1": conll_f1(list(key.values()), response)}


def lead_end(text: str, truth_row: dict[str, Any]) -> int:
    """End of the lead paragraph (after a wire copy's byline paragraph)."""
    start = text.index("\n\n") + 2 if truth_row.get("copy_of") and "\n\n" in text else 0
    end = text.find("\n\n", start)
    return len(text) if end < 0 else end


def stage_fuse_scaling(work: Path, args: dict[str, str]) -> Figures:
    """Fusion time at ``size`` mentions, replicating the extracted corpus (see replicate())."""
    from eventfuse.fuse import fuse

    size = int(args["size"])
    articles = load_articles(work)
    mentions = load_mentions(work / "mentions.jsonl")
    scaled_mentions, scaled_articles = replicate(mentions, articles, size)
    warm_model()
    result, seconds = timed(lambda: fuse(scaled_mentions, scaled_articles))
    return {"mentions": len(scaled_mentions), "articles": len(scaled_articles),
            "events": len(result.events), "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


COPY_SHIFT_DAYS = 731  # the synthetic corpus spans two years: each copy gets two more years


def _in_publication_order(mentions: Sequence[Any], by_article: dict[str, Any]) -> list[Any]:
    """Mentions by their article's publication date, so a size below the corpus's is a stretch
    of time at the corpus's density (a random subset would be sparser and flatter the small
    sizes)."""
    import datetime as dt

    return sorted(mentions, key=lambda m: (by_article[m.article_id].published or dt.date.min,
                                           m.article_id, m.id))


def replicate(mentions: Sequence[Any], articles: Sequence[Any],
              size: int, shift_days: int = COPY_SHIFT_DAYS) -> tuple[list[Any], list[Any]]:
    """The first ``size`` mentions of the corpus by publication date, repeated: copy k has new
    mention/article ids, dates k*731 days later, and its sentences end with " (k)" so no parse
    is shared. News per day stays that of the corpus: a bigger dataset covers a longer time."""
    import datetime as dt

    return _repeat(mentions, articles, size,
                   lambda copy: _Shifter(copy, dt.timedelta(days=shift_days * copy)))


def _repeat(mentions: Sequence[Any], articles: Sequence[Any], size: int,
            copier: Callable[[int], Any]) -> tuple[list[Any], list[Any]]:
    """The first ``size`` mentions of copies 0, 1, ... of the corpus in publication order, each
    copy's ids, articles and mentions made by ``copier(k)`` (``article_id``, ``article``,
    ``mention``)."""
    by_article = {a.id: a for a in articles}
    mentions = _in_publication_order(mentions, by_article)
    out_mentions: list[Any] = []
    out_articles: dict[str, Any] = {}
    copy = 0
    while len(out_mentions) < size:
        copy_k = copier(copy)
        for m in mentions:
            if len(out_mentions) >= size:
                break
            article_id = copy_k.article_id(m.article_id)
            if article_id not in out_articles:
                out_articles[article_id] = copy_k.article(by_article[m.article_id])
            out_mentions.append(copy_k.mention(m))
        copy += 1
    return out_mentions, list(out_articles.values())


class _Shifter:
    """Copy ``copy`` of the corpus for replicate(): new ids, dates moved by ``shift``, and
    sentences ending in " (k)"."""

    def __init__(self, copy: int, shift: Any) -> None:
        self.copy, self.shift = copy, shift

    def article_id(self, article_id: str) -> str:
        return f"{article_id}~{self.copy}" if self.copy else article_id

    def article(self, article: Any) -> Any:
        import dataclasses

        return dataclasses.replace(
            article, id=self.article_id(article.id), copy_of=None,
            published=article.published + self.shift if article.published else None)

    def mention(self, mention: Any) -> Any:
        if not self.copy:
            return mention
        return _shifted(mention, self.article_id(mention.article_id), self.copy, self.shift)


def _shifted(mention: Any, article_id: str, copy: int, shift: Any) -> Any:
    import dataclasses

    def moved(date: Any) -> Any:
        return date + shift if date is not None else None

    sentence = mention.sentence
    if sentence is not None:
        sentence = dataclasses.replace(sentence, article_id=article_id,
                                       text=f"{sentence.text} ({copy})")
    when = mention.when
    if when is not None:
        when = dataclasses.replace(when, start=moved(when.start), end=moved(when.end))
    return dataclasses.replace(mention, id=f"{mention.id}~{copy}", article_id=article_id,
                               sentence=sentence, when=when, published=moved(mention.published))


def stage_real_mentions(work: Path, args: dict[str, str]) -> Figures:
    """Extract real news once (``source``: a JSON Lines file of articles, e.g. gva-dev's
    articles.jsonl, read in place, never copied) into WORK/real/{articles,mentions}.jsonl."""
    from eventfuse.engines.local import ingest_articles
    from eventfuse.extract import extract_articles
    from eventfuse.ingest.sources import read_file
    from eventfuse.settings import load_options
    from eventfuse.store import open_store

    out = work / "real"
    out.mkdir(parents=True, exist_ok=True)
    options = load_options()
    cache = Path(args["parse_cache"]) if args.get("parse_cache") else None

    def extract() -> tuple[list[Any], list[Any]]:
        # As the incidents evaluation runs it: in batches of 256, parses kept in ``parse_cache``.
        with open_store(":memory:") as store:
            ingest_articles(read_file(args["source"], options), store, options)
            articles = store.get_articles()
            mentions: list[Any] = []
            for start in range(0, len(articles), 256):
                mentions += extract_articles(articles[start : start + 256], options,
                                             parse_cache=cache)
            return articles, mentions

    (articles, mentions), seconds = timed(extract)
    write_jsonl(out / "articles.jsonl", articles)
    write_jsonl(out / "mentions.jsonl", mentions)
    return {"articles": len(articles), "mentions": len(mentions), "seconds": seconds}


def stage_fuse_real(work: Path, args: dict[str, str]) -> Figures:
    """Fusion time at ``size`` real mentions (or ``copies`` times the extracted ones), the
    extracted real news repeated by replicate_news(), copy k dated k*``shift_weeks`` later
    (default copy_weeks(): copies one after another, each at the real news's own density per
    day; 1: k copies overlap, k times the news per day). ``digest`` is a hash of every event
    fusion returned, so two source trees can be shown to give the same events."""
    import hashlib

    from eventfuse.fuse import fuse
    from eventfuse.records import Article, from_dict, to_dict

    real = work / "real"
    articles = [from_dict(Article, row) for row in read_jsonl(real / "articles.jsonl")]
    mentions = load_mentions(real / "mentions.jsonl")
    size = int(args["size"]) if "size" in args else len(mentions) * int(args["copies"])
    weeks = int(args.get("shift_weeks") or copy_weeks(articles))
    scaled_mentions, scaled_articles = replicate_news(mentions, articles, size, weeks)
    warm_model()
    cpu = time.process_time()
    result, seconds = timed(lambda: fuse(scaled_mentions, scaled_articles))
    cpu = time.process_time() - cpu
    digest = hashlib.sha256()
    for event in result.events:
        digest.update(json.dumps(to_dict(event), sort_keys=True, default=str).encode())
    return {"mentions": len(scaled_mentions), "articles": len(scaled_articles),
            "events": len(result.events), "seconds": seconds, "peak_rss_mb": peak_rss_mb(),
            "cpu_seconds": cpu, "capped_blocks": len(result.notes), "shift_weeks": weeks,
            "digest": digest.hexdigest()[:16]}


STORY_GAP_DAYS = 60  # data/fusion.yaml story.max_gap_days


def copy_weeks(articles: Sequence[Any]) -> int:
    """Whole weeks from one copy of real news to the next so that copies follow each other
    without overlap: the news's span plus the story gap."""
    days = [a.published for a in articles if a.published is not None]
    span = (max(days) - min(days)).days + 1 if days else 1
    return -(-(span + STORY_GAP_DAYS) // 7)


def replicate_news(
    mentions: Sequence[Any], articles: Sequence[Any], size: int, shift_weeks: int
) -> tuple[list[Any], list[Any]]:
    """The first ``size`` mentions of copies of real news, in publication order. Copy k (k > 0)
    is other news of the same density, places and outlets: new article and mention ids, every
    date k*``shift_weeks`` whole weeks later (weekdays stay, so "on Monday" still fits), and
    its words enciphered: every letter of a word that is not a stop word goes through copy k's
    own substitution alphabet (case, length, punctuation, digits and so every offset kept) in
    the article's title and text and in the mentions' evidence, actor names and quotes. So a
    copy is as alike within itself as the original (same TF-IDF structure, names, triggers'
    lemmas, places, dates relative to each other) and shares with other copies only what
    different real news shares: places, outlets, dates, stop words and trigger lemmas. With
    ``shift_weeks`` of 1, k copies overlap in time: k times the news per day and place, the
    density at which candidate pairs grow with the square of news per day."""
    import datetime as dt

    return _repeat(mentions, articles, size,
                   lambda copy: _Copier(copy, dt.timedelta(weeks=shift_weeks * copy)))


class _Copier:
    """Copy ``copy`` of real news: ids, dates and words (see replicate_news)."""

    def __init__(self, copy: int, shift: Any) -> None:
        import random
        import re
        import string

        from spacy.lang.en.stop_words import STOP_WORDS

        self.copy, self.shift = copy, shift
        letters = list(string.ascii_lowercase)
        random.Random(copy).shuffle(letters)
        self._lower = str.maketrans(string.ascii_lowercase, "".join(letters))
        self._upper = str.maketrans(string.ascii_uppercase, "".join(letters).upper())
        self._word = re.compile(r"[A-Za-z]+")
        self._stop = STOP_WORDS

    def article_id(self, article_id: str) -> str:
        return f"{article_id}~{self.copy}" if self.copy else article_id

    def date(self, date: Any) -> Any:
        return date + self.shift if date is not None and self.copy else date

    def article(self, article: Any) -> Any:
        import dataclasses

        return dataclasses.replace(
            article, id=self.article_id(article.id), copy_of=None, title=self.text(article.title),
            text=self.text(article.text), published=self.date(article.published))

    def text(self, text: str | None) -> Any:
        if not text or not self.copy:
            return text
        return self._word.sub(self._cipher, text)

    def _cipher(self, match: Any) -> str:
        word = match.group(0)
        if word.lower() in self._stop:
            return str(word)
        return str(word.translate(self._lower).translate(self._upper))

    def mention(self, mention: Any) -> Any:
        if not self.copy:
            return mention
        return self._copied(mention)

    def _copied(self, value: Any) -> Any:
        import dataclasses

        from eventfuse.records import Actor, Evidence, Mention, Place, Quote, When

        if isinstance(value, tuple):
            return tuple(self._copied(v) for v in value)
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            return value
        changes = {f.name: self._copied(getattr(value, f.name))
                   for f in dataclasses.fields(value)
                   if dataclasses.is_dataclass(getattr(value, f.name))
                   or isinstance(getattr(value, f.name), tuple)}
        if isinstance(value, Mention):
            changes.update(id=f"{value.id}~{self.copy}", article_id=self.article_id(
                value.article_id), published=self.date(value.published))
        elif isinstance(value, Evidence):
            changes.update(article_id=self.article_id(value.article_id),
                           text=self.text(value.text))
        elif isinstance(value, When):  # its text stays: a weekday name anchors it
            changes.update(start=self.date(value.start), end=self.date(value.end))
        elif isinstance(value, Actor) and not value.generic:
            changes.update(name=self.text(value.name), canonical=self.text(value.canonical))
        elif isinstance(value, Quote):
            changes.update(text=self.text(value.text), speaker=self.text(value.speaker),
                           speaker_canonical=self.text(value.speaker_canonical))
        elif isinstance(value, Place):  # the same places: more news there, not new towns
            pass
        return dataclasses.replace(value, **changes)


STAGES: dict[str, Callable[[Path, dict[str, str]], Figures]] = {
    "ingest": stage_ingest,
    "extract": stage_extract,
    "fuse": stage_fuse,
    "fuse_scaling": stage_fuse_scaling,
    "real_mentions": stage_real_mentions,
    "fuse_real": stage_fuse_real,
}


def main(argv: Sequence[str]) -> int:
    stage, work, *rest = argv
    args = dict(item.split("=", 1) for item in rest)
    print(json.dumps(STAGES[stage](Path(work), args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
