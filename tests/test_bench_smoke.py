"""A tiny, untimed run of the benchmark harness (bench/stages.py, bench/report.py, bench/run.py):
every stage produces its figures and the report renders. Speed itself is never asserted here."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402
import stages  # noqa: E402

pytestmark = pytest.mark.slow  # loads the spaCy pipeline


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Ingest, extract and fuse a 12-article corpus in-process, as the stage processes do."""
    work = tmp_path_factory.mktemp("bench")
    corpus.write_corpus(work, 12, seed=3)
    ingest = stages.stage_ingest(work, {})
    extract = stages.stage_extract(
        work, {"batch_size": "4", "n_process": "1", "out": "mentions.jsonl"})
    fuse = stages.stage_fuse(work, {"store": "1"})
    scaled = stages.stage_fuse_scaling(work, {"size": str(2 * extract["mentions"] + 1)})
    # The real-news stages, here on the synthetic articles (bench/run.py --real reads gva-dev).
    real = stages.stage_real_mentions(work, {"source": str(work / "articles.jsonl")})
    real_fused = stages.stage_fuse_real(work, {"size": str(3 * real["mentions"])})
    return {"work": work, "ingest": ingest, "extract": extract, "fuse": fuse, "scaled": scaled,
            "real": real, "real_fused": real_fused}


def test_real_mentions_are_extracted_and_repeated(figures: dict[str, Any]) -> None:
    real, fused = figures["real"], figures["real_fused"]
    assert real["articles"] == 12 and real["mentions"] > 0
    assert fused["mentions"] == 3 * real["mentions"]
    assert fused["articles"] >= 3 * 11 and fused["capped_blocks"] == 0


def test_real_news_copies_are_other_news_with_the_same_offsets() -> None:
    from eventfuse.records import Article, Evidence, Mention, When

    text = "Police said a man was shot on Monday in Springfield."
    article = Article(id="a1", text=text, published=dt.date(2020, 3, 2))
    sentence = Evidence("a1", 0, len(text), text)
    mention = Mention(id="a1:0", article_id="a1", type="ASSAULT", sentence=sentence,
                      trigger=Evidence("a1", 28, 32, "shot"),
                      when=When("Monday", dt.date(2020, 3, 2), dt.date(2020, 3, 2), "day"),
                      published=dt.date(2020, 3, 2))
    mentions, articles = stages.replicate_news([mention], [article], 3, shift_weeks=2)
    assert [m.id for m in mentions] == ["a1:0", "a1:0~1", "a1:0~2"]
    copy = mentions[2]
    assert copy.article_id == "a1~2" and copy.sentence is not None
    assert articles[2].published == copy.published == dt.date(2020, 3, 30)  # 4 weeks later
    assert copy.when is not None and copy.when.text == "Monday"
    assert copy.when.start == dt.date(2020, 3, 30)
    assert len(articles[2].text) == len(text) and articles[2].text != text
    assert copy.sentence.text == articles[2].text  # enciphered alike: offsets still hold
    assert " was " in articles[2].text and "Police" not in articles[2].text  # stop words stay
    assert articles[1].text != articles[2].text  # each copy its own alphabet


def test_stages_report_counts_that_agree(figures: dict[str, Any]) -> None:
    ingest, extract, fuse = figures["ingest"], figures["extract"], figures["fuse"]
    assert ingest["articles"] == 12
    assert ingest["words"] > 12 * corpus.MIN_WORDS * 0.9
    assert extract["articles"] == 12 and extract["words"] == ingest["words"]
    assert extract["mentions"] > 0 and extract["mentions"] == fuse["mentions"]
    assert extract["ratio_to_pipe"] > 0
    assert fuse["store"]["mentions"] == fuse["mentions"]
    assert fuse["store"]["events"] == fuse["events"] > 0
    assert all(f["peak_rss_mb"] > 50 for f in (ingest, extract, fuse))


def test_fusion_quality_is_keyed_by_true_events(figures: dict[str, Any]) -> None:
    quality = figures["fuse"]["quality"]
    assert quality["key_mentions"] > 0
    assert quality["true_events_with_lead_mention"] <= quality["true_events"]
    assert 0.0 <= quality["b3_f1"] <= 1.0
    assert quality["b3_precision"] > 0


def test_scaled_corpus_copies_are_distinct_and_shifted(figures: dict[str, Any]) -> None:
    work = figures["work"]
    mentions = stages.load_mentions(work / "mentions.jsonl")
    articles = stages.load_articles(work)
    scaled, scaled_articles = stages.replicate(mentions, articles, 2 * len(mentions) + 1)
    assert len(scaled) == 2 * len(mentions) + 1
    assert len({m.id for m in scaled}) == len(scaled)
    assert {m.article_id for m in scaled} <= {a.id for a in scaled_articles}
    first, copy = scaled[0], scaled[len(mentions)]  # the same mention in copies 0 and 1
    assert copy.id.startswith(first.id)
    assert copy.id != first.id and copy.article_id != first.article_id
    shift = dt.timedelta(days=stages.COPY_SHIFT_DAYS)
    if first.published is not None:
        assert copy.published == first.published + shift
    if first.sentence is not None and copy.sentence is not None:
        assert copy.sentence.text != first.sentence.text
    assert figures["scaled"]["mentions"] == len(scaled)


def test_scaling_exponent_tells_linear_from_quadratic() -> None:
    assert run.scaling_exponent([(1000, 1.0), (10000, 10.0)]) == pytest.approx(1.0)
    assert run.scaling_exponent([(1000, 1.0), (10000, 100.0)]) == pytest.approx(2.0)
    assert run.scaling_exponent([(1000, 1.0)]) is None


def test_report_renders_every_section(figures: dict[str, Any]) -> None:
    extract = {**figures["extract"], "process_peak_rss_mb": 400.0}
    fuse = {**figures["fuse"], "process_peak_rss_mb": 200.0}
    scaling = [{**figures["scaled"], "mentions": n, "seconds": n / 500,
                "process_peak_rss_mb": 150.0 + n / 100} for n in (1000, 10000)]
    results = {
        "machine": {"nproc": 2, "cpu": "test cpu", "ram_gb": 1.0, "python": "3", "spacy": "3",
                    "platform": "linux"},
        "articles": 12, "seed": 3, "batch_size": 4, "n_process": 1,
        "ingest": {**figures["ingest"], "process_peak_rss_mb": 100.0},
        "extract": [extract], "fuse": fuse, "fusion_scaling": scaling,
        "run": {"articles": 12, "words": extract["words"], "seconds": 9.0, "peak_rss_mb": 500.0,
                "n_process": 1,
                "incremental": {"base_articles": 12, "added": 100, "seconds": 20.0,
                                "peak_rss_mb": 500.0}},
        "command": "python bench/run.py --articles 12", "total_seconds": 60.0,
        "real": {"source": "articles.jsonl", "extract": figures["real"],
                 "slope_cpu_seconds": 1.0, "slope_seconds": 1.0,
                 "points": [{**figures["real_fused"], "mentions": n, "seconds": n / 100,
                             "cpu_seconds": n / 200, "copies": n / 1000}
                            for n in (1000, 10000)]},
    }
    results["estimate_100k"] = run.estimate(results, 100_000)
    text = report.render(results)
    for heading in ("## Per stage", "## Whole `eventfuse run`", "## Extraction vs bare spaCy",
                    "## Fusion: scaling and quality", "## Fusion on real mentions",
                    "## Incremental", "## 100k articles"):
        assert heading in text
    assert "10x mentions costs 10.0x time" in text
    assert "(10.0x per 10x mentions): meets target" in text
    assert results["estimate_100k"]["exponent"] == pytest.approx(1.0)


def test_real_run_section_gives_the_ratio_to_bare_spacy() -> None:
    import speed

    row = {"bare": {"seconds": 10.0, "cpu_seconds": 18.0},
           "run": {"seconds": 16.0, "cpu_seconds": 30.0, "ratio": 0.625, "cpu_ratio": 0.6}}
    figures = {"source": "/data/gva-dev/articles.jsonl", "articles": 300, "words": 180_000,
               "workers": 2, "batch_size": 32, "rounds": [row], "median": {"run": 0.625},
               "median_cpu": {"run": 0.6}, "load_average": (3.0, 3.0, 3.0), "nproc": 2}
    text = "\n".join(speed.render(figures))
    assert "| 1 | `eventfuse run` | 16.0 | 30.0 | 18.8 | 11,250 | 0.62x (CPU 0.60x) |" in text
    assert "**0.62x** (target 0.6x: meets it)" in text
