"""The Spark engine: the local engine's pipeline with reading and extraction spread over Spark.

    ingest    files are parallelized; each executor reads its files with ``ingest.read_file``;
              the driver stores them in input order with the local engine's ``ingest_articles``
              (exact duplicates, wire-copy linking), so ingestion is decided exactly as locally.
    extract   ``mapInPandas`` over the articles not yet extracted; each executor process loads
              the spaCy pipeline once (``nlp.get_nlp`` is cached per process) and also computes
              the mentions' trigger lemmas, the costly part of fusion's features.
    fuse      mentions are collected to the driver and fused by ``eventfuse.fuse.fuse`` with the
              same arguments as the local engine (fusion is global: a cluster may span any two
              articles in the date window), given the lemmas computed in the executors.

Records cross the Python/JVM boundary as JSON strings (``records.to_dict``), so executors and
driver share no pickled classes and a run on a cluster needs only eventfuse installed there.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eventfuse.engines.local import (
    Progress,
    RunReport,
    _unfused_mentions,  # the same re-run rule as the local engine
    fuse_recording_changes,
    ingest_articles,
)
from eventfuse.errors import InputError
from eventfuse.records import Article, Mention, from_dict, to_dict
from eventfuse.settings import Options
from eventfuse.store import Store

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
# A row of the read step: (file index, item index in the file, "article" | "error", JSON).
ReadRow = tuple[int, int, str, str]
EXTRACTED_SCHEMA = "seq long, mentions string, lemmas string"


@dataclass(frozen=True, slots=True)
class SparkConfig:
    """How the session is started; the defaults suit one machine (``local[*]``)."""

    # None: the master spark-submit was given when run under it, else local[*].
    master: str | None = None
    app_name: str = "eventfuse"
    driver_memory: str = "1g"
    # Few shuffles happen and each is small: Spark's default of 200 partitions is pure overhead.
    shuffle_partitions: int = 4
    # Articles per Arrow batch handed to one mapInPandas call (one nlp.pipe run).
    arrow_batch_articles: int = 64
    # Cores of a local master (``local[N]``; None: every core), as --workers says.
    local_cores: int | None = None


def spark_session(config: SparkConfig | None = None) -> SparkSession:
    """A SparkSession whose Python workers run this interpreter (so they import eventfuse)."""
    from pyspark.sql import SparkSession

    cfg = config or SparkConfig()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    master = _master(cfg.master, cfg.local_cores)
    builder = SparkSession.builder if master is None else SparkSession.builder.master(master)
    if master is not None and master.startswith("local"):
        # One machine: bind to loopback rather than guess an interface (and warn about it).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        builder.appName(cfg.app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.driver.memory", cfg.driver_memory)
        .config("spark.sql.shuffle.partitions", str(cfg.shuffle_partitions))
        .config("spark.default.parallelism", str(max(2, cfg.shuffle_partitions)))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(cfg.arrow_batch_articles))
        # Workers are reused, so each keeps its loaded spaCy pipeline across tasks.
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _master(requested: str | None, local_cores: int | None = None) -> str | None:
    """The master to set, or None to keep spark-submit's (it starts the driver with a gateway)."""
    if requested:
        return requested
    if "PYSPARK_GATEWAY_PORT" in os.environ:
        return None
    return f"local[{local_cores}]" if local_cores else DEFAULT_MASTER


# --- ingest -------------------------------------------------------------------------------------


def read_items(
    spark: SparkSession,
    paths: Sequence[str],
    options: Options,
    *,
    outlet_from_folder: bool = False,
) -> list[Article | InputError]:
    """What ``ingest.read_sources`` yields for ``paths``, in the same order, each file read by an
    executor. Paths are expanded on the driver, so they must be readable by the executors too
    (a shared file system on a cluster)."""
    from eventfuse.ingest.sources import STDIN, _folder_name, expand_paths

    expanded = list(expand_paths(paths))
    jobs: list[tuple[int, str, str | None]] = []
    slots: list[InputError | int] = []  # path errors keep their place among the files
    for item in expanded:
        if isinstance(item, InputError):
            slots.append(item)
        elif item == STDIN:
            slots.append(InputError(STDIN, "the Spark engine reads files, not standard input"))
        else:
            jobs.append((len(jobs), item, _folder_name(item) if outlet_from_folder else None))
            slots.append(len(jobs) - 1)
    by_file: dict[int, list[Article | InputError]] = {}
    if jobs:
        rows = (
            spark.sparkContext.parallelize(jobs, _slices(spark, len(jobs)))
            .flatMap(_file_reader(options))
            .collect()
        )
        for file_index, _item_index, kind, payload in sorted(rows):
            by_file.setdefault(file_index, []).append(_decode_item(kind, payload))
    items: list[Article | InputError] = []
    for slot in slots:
        if isinstance(slot, InputError):
            items.append(slot)
        else:
            items.extend(by_file.get(slot, []))
    return items


def _file_reader(options: Options) -> Callable[[tuple[int, str, str | None]], list[ReadRow]]:
    def read(job: tuple[int, str, str | None]) -> list[ReadRow]:
        from eventfuse.ingest import read_file

        file_index, path, outlet = job
        return [
            (file_index, i, *_encode_item(item))
            for i, item in enumerate(read_file(path, options, outlet))
        ]

    return read


def _encode_item(item: Article | InputError) -> tuple[str, str]:
    if isinstance(item, InputError):
        return "error", json.dumps({"path": item.path, "reason": item.reason})
    return "article", json.dumps(to_dict(item), ensure_ascii=False)


def _decode_item(kind: str, payload: str) -> Article | InputError:
    data = json.loads(payload)
    if kind == "error":
        return InputError(data["path"], data["reason"])
    return from_dict(Article, data)


def _slices(spark: SparkSession, items: int) -> int:
    """Enough partitions to keep every core busy and balance uneven files, never empty ones."""
    return max(1, min(items, spark.sparkContext.defaultParallelism * 4))


# --- extract ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Extraction:
    mentions: tuple[Mention, ...]  # in article order, as extract_articles returns them
    lemmas: dict[str, frozenset[str]]  # mention id -> trigger lemmas (fusion's features)


def extract_with_spark(
    spark: SparkSession, articles: Sequence[Article], options: Options
) -> Extraction:
    """Mentions of ``articles`` (in order, as ``extract.extract_articles``) and their trigger
    lemmas, parsed in the executors."""
    if not articles:
        return Extraction((), {})
    rows = [(seq, json.dumps(to_dict(a), ensure_ascii=False)) for seq, a in enumerate(articles)]
    frame = spark.createDataFrame(rows, "seq long, article string")
    frame = frame.repartition(_slices(spark, len(articles)) // 2 or 1)
    extracted = frame.mapInPandas(_extractor(options), EXTRACTED_SCHEMA).collect()
    mentions: list[Mention] = []
    lemmas: dict[str, frozenset[str]] = {}
    for row in sorted(extracted, key=lambda r: r["seq"]):
        mentions.extend(from_dict(Mention, m) for m in json.loads(row["mentions"]))
        lemmas.update({k: frozenset(v) for k, v in json.loads(row["lemmas"]).items()})
    return Extraction(tuple(mentions), lemmas)


def _extractor(
    options: Options,
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def extract(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        from eventfuse.extract import extract_mentions
        from eventfuse.fuse.features import trigger_lemmas
        from eventfuse.nlp import parse

        for frame in frames:
            articles = [from_dict(Article, json.loads(s)) for s in frame["article"]]
            # extract.extract_articles, kept per article (ids may repeat within a batch).
            docs = parse((a.text for a in articles), batch_size=options.batch_size)
            found = [extract_mentions(a, doc) for a, doc in zip(articles, docs, strict=True)]
            lemmas = trigger_lemmas([m for mentions in found for m in mentions])
            yield pd.DataFrame(
                {
                    "seq": frame["seq"].astype("int64").to_numpy(),
                    "mentions": [json.dumps(to_dict(mentions)) for mentions in found],
                    "lemmas": [json.dumps(_lemmas_of(mentions, lemmas)) for mentions in found],
                }
            )

    return extract


def _lemmas_of(
    mentions: Iterable[Mention], lemmas: dict[str, frozenset[str]]
) -> dict[str, list[str]]:
    return {m.id: sorted(lemmas[m.id]) for m in mentions if m.id in lemmas}


def extract_pending(
    spark: SparkSession, store: Store, options: Options, progress: Progress | None = None
) -> tuple[int, dict[str, frozenset[str]]]:
    """The local engine's ``extract_pending`` with parsing in Spark: mentions found, lemmas."""
    pending = store.articles_without_mentions()
    articles = store.get_articles(pending)
    extraction = extract_with_spark(spark, articles, options)
    by_article: dict[str, list[Mention]] = {}
    for mention in extraction.mentions:
        by_article.setdefault(mention.article_id, []).append(mention)
    # Stored in the local engine's batches, one transaction each, so a crash resumes the same way.
    for start in range(0, len(pending), options.batch_size):
        ids = pending[start : start + options.batch_size]
        store.put_mentions(ids, [m for i in ids for m in by_article.get(i, [])])
        if progress:
            progress("extract", len(ids))
    return len(extraction.mentions), extraction.lemmas


# --- fuse and run -------------------------------------------------------------------------------


def fuse_all(
    store: Store, options: Options, lemmas: dict[str, frozenset[str]], new_articles: Sequence[str]
) -> int:
    """The local engine's fusion (changes recorded) with the trigger lemmas the executors
    computed (mentions without one are lemmatized by ``fuse`` itself). Returns the events."""
    fuse_recording_changes(store, options, new_articles, lemmas)
    return store.counts()["events"]


def run(
    spark: SparkSession,
    paths: Sequence[str],
    store: Store,
    options: Options,
    *,
    outlet_from_folder: bool = False,
    progress: Progress | None = None,
) -> RunReport:
    """Ingest, extract what is new, fuse: the local engine's ``run`` on Spark; same store
    contents for the same input, idempotent on a re-run."""
    items = read_items(spark, paths, options, outlet_from_folder=outlet_from_folder)
    ingested = ingest_articles(items, store, options, progress)
    pending = store.articles_without_mentions()
    new_mentions, lemmas = extract_pending(spark, store, options, progress)
    touched = 0
    if pending or ingested.added or _unfused_mentions(store):
        touched = fuse_all(store, options, lemmas, pending)
    return RunReport(ingested, len(pending), new_mentions, touched, store.counts())


def write_outputs(store: Store, out_dir: str | Path) -> list[Path]:
    """Events, mentions and articles of ``store`` as Parquet files in ``out_dir``:
    ``events.parquet``, ``events.mentions.parquet``, ``events.articles.parquet``."""
    from eventfuse.export import store_context, write_parquet

    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    articles = {a.id: a for a in store.get_articles()}
    events = store.get_events()
    return write_parquet(
        events,
        articles,
        target / "events.parquet",
        mentions=store.get_mentions(),
        with_articles=True,
        context=store_context(store, events, articles),  # the store's stable ACLED ids
    )
