"""The local and the Spark engine make the same dataset from the same input: same articles,
mentions and events (ids, members, fields, disagreements), on the demo corpus and the seeds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import require_shared

pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra (pyspark)")
pytest.importorskip("pandas", reason="mapInPandas needs pandas (the 'spark' extra)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17+ on PATH", allow_module_level=True)

from eventfuse.engines import spark as spark_engine
from eventfuse.engines.local import run as run_local
from eventfuse.ingest import read_sources
from eventfuse.records import to_dict
from eventfuse.settings import Options
from eventfuse.store import open_store

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = spark_engine.spark_session(spark_engine.SparkConfig(master="local[2]"))
    yield session
    session.stop()


def _dataset(store: Any) -> dict[str, Any]:
    return {
        "articles": [to_dict(a) for a in store.get_articles()],
        "mentions": [to_dict(m) for m in store.get_mentions()],
        "events": [to_dict(e) for e in store.get_events()],
        "counts": store.counts(),
    }


@pytest.mark.parametrize(
    ("corpus", "outlet_from_folder"),
    [(DEMO, False), (DEMO, True), (SEEDS, False)],
    ids=["demo", "demo-outlet-from-folder", "seeds"],
)
def test_spark_engine_makes_the_local_engines_dataset(
    spark: Any, corpus: Path, outlet_from_folder: bool, tmp_path: Path
) -> None:
    require_shared(corpus)
    options = Options()
    paths = [str(corpus)]
    with open_store(str(tmp_path / "local.db")) as store:
        items = read_sources(paths, options, outlet_from_folder=outlet_from_folder)
        run_local(items, store, options)
        local = _dataset(store)
    with open_store(str(tmp_path / "spark.db")) as store:
        spark_engine.run(spark, paths, store, options, outlet_from_folder=outlet_from_folder)
        distributed = _dataset(store)
    assert local["events"], "an empty dataset would make this comparison vacuous"
    assert distributed["counts"] == local["counts"]
    assert distributed["articles"] == local["articles"]
    assert distributed["mentions"] == local["mentions"]
    # Event by event, so a failure names the first event that differs.
    assert [e["id"] for e in distributed["events"]] == [e["id"] for e in local["events"]]
    for ours, theirs in zip(distributed["events"], local["events"], strict=True):
        assert ours == theirs, f"event {theirs['id']} differs"
