"""The Spark engine (engines/spark.py) on a real local[2] SparkSession: each step gives what the
local engine's step gives for the same input, and a run writes the store and the Parquet files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra (pyspark)")
pytest.importorskip("pandas", reason="mapInPandas needs pandas (the 'spark' extra)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17+ on PATH", allow_module_level=True)

from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.engines import spark as spark_engine
from eventfuse.engines.local import run as run_local
from eventfuse.errors import InputError
from eventfuse.extract import extract_articles
from eventfuse.fuse.features import trigger_lemmas
from eventfuse.ingest import read_sources
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options
from eventfuse.store import open_store

pytestmark = pytest.mark.slow

# Invented reports (places real, so the gazetteer resolves them): two outlets on one protest,
# one on an unrelated strike, a wire copy of the first (same text, its own URL) and an exact
# duplicate of it (same URL: the same article id twice in one extraction batch).
PROTEST_A = (
    "outlet: Lakeshore Daily\ndate: 2025-06-03\nurl: https://lakeshore.example/accra-bread\n"
    "Hundreds protest rising bread prices in Accra\n\n"
    "Hundreds of traders marched through central Accra on Tuesday to protest against rising "
    "bread prices, organisers said. Police fired tear gas to disperse the crowd near the "
    "parliament building and arrested 12 people.\n"
)
PROTEST_A_COPY = PROTEST_A.replace("Lakeshore Daily", "Coastline Wire").replace(
    "lakeshore.example", "coastline.example"
)
JSONL_LINES = [
    {
        "id": "ridge-0604-accra",
        "title": "Police arrest traders at Accra bread protest",
        "url": "https://ridge.example/accra-bread-protest",
        "published": "2025-06-04",
        "outlet": "Ridge Observer",
        "text": "Police arrested about a dozen traders in Accra on Tuesday after several "
        "hundred people protested against the price of bread. Officers used tear gas.",
    },
    {
        "id": "ridge-0605-kumasi",
        "title": "Nurses strike in Kumasi",
        "url": "https://ridge.example/kumasi-nurses",
        "published": "2025-06-05",
        "outlet": "Ridge Observer",
        "text": "Nurses at two hospitals in Kumasi went on strike on Thursday over unpaid "
        "allowances, a union spokesman said.",
    },
]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = spark_engine.spark_session(spark_engine.SparkConfig(master="local[2]"))
    yield session
    session.stop()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "lakeshore").mkdir(parents=True)
    (root / "lakeshore" / "accra-bread-protest.txt").write_text(PROTEST_A, encoding="utf-8")
    (root / "lakeshore" / "accra-bread-protest-wire.txt").write_text(
        PROTEST_A_COPY, encoding="utf-8"
    )
    (root / "mirror").mkdir()
    (root / "mirror" / "accra-bread-protest.txt").write_text(PROTEST_A, encoding="utf-8")
    (root / "ridge.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in JSONL_LINES), encoding="utf-8"
    )
    (root / "empty.txt").write_bytes(b"")  # a reader error, reported in its place
    return root


def _describe(items: list[Article | InputError]) -> list[Any]:
    return [
        ("error", i.path, i.reason) if isinstance(i, InputError) else ("article", to_dict(i))
        for i in items
    ]


def test_read_items_gives_read_sources_items_in_the_same_order(spark: Any, corpus: Path) -> None:
    options = Options()
    paths = [str(corpus), str(corpus / "missing.html")]
    expected = _describe(list(read_sources(paths, options, outlet_from_folder=True)))
    got = _describe(spark_engine.read_items(spark, paths, options, outlet_from_folder=True))
    assert got == expected
    kinds = [d[0] for d in got]
    assert kinds.count("article") == 5
    assert kinds.count("error") >= 1  # at least the missing path
    assert any(d[0] == "error" and "missing.html" in d[1] for d in got)


def test_stdin_is_refused_in_place(spark: Any) -> None:
    items = spark_engine.read_items(spark, ["-"], Options())
    assert len(items) == 1
    assert isinstance(items[0], InputError)
    assert "standard input" in items[0].reason


def test_extraction_in_executors_equals_local_extraction(spark: Any, corpus: Path) -> None:
    options = Options()
    articles = [i for i in read_sources([str(corpus)], options) if isinstance(i, Article)]
    local = extract_articles(articles, options)
    assert local, "the fixture articles must yield mentions for this test to mean anything"
    extraction = spark_engine.extract_with_spark(spark, articles, options)
    assert [to_dict(m) for m in extraction.mentions] == [to_dict(m) for m in local]
    assert extraction.lemmas == trigger_lemmas(local)


def test_run_fills_the_store_like_the_local_engine_and_is_idempotent(
    spark: Any, corpus: Path, tmp_path: Path
) -> None:
    options = Options()
    paths = [str(corpus)]
    with open_store(str(tmp_path / "local.db")) as store:
        run_local(read_sources(paths, options), store, options)
        local_events = [to_dict(e) for e in store.get_events()]
        local_counts = store.counts()
    with open_store(str(tmp_path / "spark.db")) as store:
        first = spark_engine.run(spark, paths, store, options)
        assert first.ingest.added == 4
        assert first.ingest.already_stored == 1  # the mirrored file: same URL, same id
        assert first.ingest.copies == 1  # the wire copy is linked on the driver, as locally
        assert len(first.ingest.errors) == 1  # the empty file
        assert [to_dict(e) for e in store.get_events()] == local_events
        assert store.counts() == local_counts
        again = spark_engine.run(spark, paths, store, options)
        assert again.ingest.added == 0
        assert again.ingest.already_stored == 5
        assert again.extracted_articles == 0
        assert [to_dict(e) for e in store.get_events()] == local_events


def test_write_outputs_writes_the_three_parquet_tables(
    spark: Any, corpus: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    options = Options()
    with open_store(str(tmp_path / "spark.db")) as store:
        spark_engine.run(spark, [str(corpus)], store, options)
        written = spark_engine.write_outputs(store, tmp_path / "out")
        counts = store.counts()
    names = sorted(p.name for p in written)
    assert names == ["events.articles.parquet", "events.mentions.parquet", "events.parquet"]
    rows = {p.name: pq.read_table(p).num_rows for p in written}
    assert rows["events.parquet"] == counts["events"]
    assert rows["events.mentions.parquet"] == counts["mentions"]
    assert rows["events.articles.parquet"] == counts["articles"]


def test_cli_refuses_master_without_the_spark_engine(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "x.db"), "run", "--master", "local[2]", str(corpus)]
    )
    assert result.exit_code != 0
    assert "--master needs --engine spark" in result.output


def test_cli_out_without_db_writes_only_parquet(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVENTFUSE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--out", str(out), str(corpus)])
    assert result.exit_code == 1, result.output  # the empty file is a failed input
    assert (out / "events.parquet").exists()
    assert (out / "events.mentions.parquet").exists()
    assert not (tmp_path / "eventfuse.db").exists()  # the store was temporary
    assert "database:" not in result.output
