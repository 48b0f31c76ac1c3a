"""ECB+ reader and scorer on a small corpus written here in ECB+'s XML format, plus a check on
the real dev topics when ../shared/data/ecbplus is present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import require_shared
from eventfuse.evaluate.ecbplus import (
    DEV_TOPICS,
    PROFILE,
    evaluate_ecbplus,
    gold_clusters,
    lemma_baseline,
    link_errors,
    parse_topics,
    product_stories,
    read_corpus,
    story_scores,
    train_topics,
)
from eventfuse.fuse.config import load_config

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecbplus"

# doc -> sentences (only sentence 1 is annotated, as in ECB+; the others tell the story apart
# as real documents do), markables, relations
DOCS: dict[str, dict[str, object]] = {
    "1_1ecb": {
        "sentences": [
            "Breaking news page",
            "A strong earthquake struck the island on Monday .",
            "Rescuers in Padang searched the rubble , West Sumatra officials said .",
        ],
        "markables": [
            ("ACTION_OCCURRENCE", "1", [(1, 2)]),
            ("ACTION_OCCURRENCE", "2", [(1, 3)]),
            ("LOC_GEO", "3", [(1, 5)]),
            ("TIME_DATE", "4", [(1, 7)]),
        ],
        "links": {"1": "ACT_QUAKE_A", "2": "ACT_STRIKE_A"},
    },
    "1_2ecb": {
        "sentences": [
            "Home",
            "The earthquake hit the island Monday , killing ten people .",
            "Hospitals in Padang were full , West Sumatra officials said .",
        ],
        "markables": [
            ("ACTION_OCCURRENCE", "1", [(1, 1)]),
            ("ACTION_OCCURRENCE", "2", [(1, 2)]),
            ("ACTION_OCCURRENCE", "5", [(1, 7)]),
            ("LOC_GEO", "3", [(1, 4)]),
        ],
        "links": {"1": "ACT_QUAKE_A", "2": "ACT_STRIKE_A"},
    },
    "1_1ecbplus": {
        "sentences": [
            "Home",
            "Another earthquake struck the northern coast in May .",
            "Fishermen in Valparaiso fled inland , Chilean Navy officials said .",
        ],
        "markables": [("ACTION_OCCURRENCE", "1", [(1, 1)]), ("ACTION_OCCURRENCE", "2", [(1, 2)])],
        "links": {},
    },
}


def _xml(name: str, spec: dict[str, object]) -> str:
    sentences: list[str] = spec["sentences"]  # type: ignore[assignment]
    lines = [f'<Document doc_name="{name}.xml" doc_id="x">']
    t_ids: dict[tuple[int, int], int] = {}
    for s, sentence in enumerate(sentences):
        for n, word in enumerate(sentence.split()):
            t_ids[(s, n)] = len(t_ids) + 1
            lines.append(
                f'<token t_id="{t_ids[(s, n)]}" sentence="{s}" number="{n}">{word}</token>'
            )
    lines.append("<Markables>")
    for tag, m_id, anchors in spec["markables"]:  # type: ignore[attr-defined]
        lines.append(f'<{tag} m_id="{m_id}">')
        lines.extend(f'<token_anchor t_id="{t_ids[a]}"/>' for a in anchors)
        lines.append(f"</{tag}>")
    lines.append("</Markables><Relations>")
    for r, (m_id, instance) in enumerate(spec["links"].items()):  # type: ignore[attr-defined]
        lines.append(f'<CROSS_DOC_COREF r_id="{r}" note="{instance}">')
        lines.append(f'<source m_id="{m_id}"/><target m_id="99"/></CROSS_DOC_COREF>')
    for r_id, m_ids in spec.get("chains", {}).items():  # type: ignore[attr-defined]
        lines.append(f'<INTRA_DOC_COREF r_id="{r_id}">')
        lines.extend(f'<source m_id="{m}"/>' for m in m_ids)
        lines.append('<target m_id="98"/></INTRA_DOC_COREF>')
    lines.append("</Relations></Document>")
    return "\n".join(lines)


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    (tmp_path / "1").mkdir()
    rows = ["Topic,File,Sentence Number"]
    for name, spec in DOCS.items():
        (tmp_path / "1" / f"{name}.xml").write_text(_xml(name, spec), encoding="utf-8")
        rows.append(f"1,{name.split('_', 1)[1]},1")
    (tmp_path / "ECBplus_coreference_sentences.csv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_reader_keeps_action_mentions_of_annotated_sentences(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    ids = sorted(f"{g.doc}#{g.m_id}" for g in corpus.mentions)
    assert ids == [
        "1_1ecb#1",
        "1_1ecb#2",
        "1_1ecbplus#1",
        "1_1ecbplus#2",
        "1_2ecb#1",
        "1_2ecb#2",
        "1_2ecb#5",
    ]
    by_id = {f"{g.doc}#{g.m_id}": g for g in corpus.mentions}
    strike = by_id["1_1ecb#2"]
    assert strike.head_lemma == "strike" and strike.story == "1:ecb"
    assert strike.mention.trigger is not None and strike.mention.trigger.text == "struck"
    assert strike.mention.location is not None and strike.mention.location.name == "island"
    assert strike.mention.when is not None and strike.mention.when.text == "Monday"
    assert by_id["1_1ecbplus#2"].story == "1:ecbplus"


def test_gold_clusters_link_instances_and_keep_singletons(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    name = {g.mention.id: f"{g.doc}#{g.m_id}" for g in corpus.mentions}
    clusters = sorted(sorted(name[m] for m in c) for c in gold_clusters(corpus))
    assert ["1_1ecb#1", "1_2ecb#1"] in clusters
    assert ["1_1ecb#2", "1_2ecb#2"] in clusters
    assert ["1_1ecbplus#1"] in clusters and ["1_2ecb#5"] in clusters


def test_within_document_chains_and_negated_events_are_gold(corpus_dir: Path):
    """As the release's README and the usual ECB+ set-ups have it: an INTRA_DOC_COREF chain
    (one document's mentions of a happening no other document is linked to) is a gold
    cluster, not singletons, and a NEG_ACTION markable ("did not attend") is an event
    mention."""
    spec = {
        "sentences": [
            "Home",
            "The singer did not attend the gala and skipped the party after the gala .",
        ],
        "markables": [
            ("NEG_ACTION_OCCURRENCE", "1", [(1, 4)]),
            ("ACTION_OCCURRENCE", "2", [(1, 6)]),
            ("ACTION_OCCURRENCE", "3", [(1, 8)]),
            ("ACTION_OCCURRENCE", "4", [(1, 13)]),
            ("HUMAN_PART_PER", "5", [(1, 1)]),
        ],
        "links": {},
        "chains": {"7": ["2", "4"]},
    }
    (corpus_dir / "2").mkdir()
    (corpus_dir / "2" / "2_1ecb.xml").write_text(_xml("2_1ecb", spec), encoding="utf-8")
    with (corpus_dir / "ECBplus_coreference_sentences.csv").open("a") as handle:
        handle.write("2,1ecb,1\n")
    corpus = read_corpus(corpus_dir, [2])
    name = {g.mention.id: g.m_id for g in corpus.mentions}
    clusters = sorted(sorted(name[m] for m in c) for c in gold_clusters(corpus))
    assert clusters == [["1"], ["2", "4"], ["3"]]
    negated = next(g for g in corpus.mentions if g.m_id == "1")
    assert negated.mention.trigger is not None and negated.mention.trigger.text == "attend"


def test_lemma_baseline_merges_across_subtopics_and_the_system_does_not(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    baseline = {
        f"{g.doc}#{g.m_id}": c
        for g in corpus.mentions
        for c in [lemma_baseline(corpus)[g.mention.id]]
    }
    assert baseline["1_1ecb#1"] == baseline["1_1ecbplus#1"]  # two different earthquakes
    out = corpus_dir / "predictions.jsonl"
    report = evaluate_ecbplus(corpus_dir, out, topics=[1])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    cluster = {(r["doc"], r["m_id"]): r["cluster"] for r in rows}
    assert cluster[("1_1ecb", "1")] == cluster[("1_2ecb", "1")]
    assert cluster[("1_1ecb", "1")] != cluster[("1_1ecbplus", "1")]
    assert report["mentions"] == 7
    assert report["system"]["conll_f1"] > report["lemma_baseline"]["conll_f1"]


def test_the_product_never_sees_file_names_or_sub_topics(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    for a in corpus.articles:
        assert a.id.startswith("t1-") and "ecb" not in a.id
    for g in corpus.mentions:
        assert "ecb" not in g.mention.id and "ecb" not in g.mention.article_id
    # The whole document is the article's text, not only its annotated sentences.
    assert any("Breaking news page" in a.text for a in corpus.articles)


def test_own_story_clustering_separates_the_two_earthquakes(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    stories = product_stories(corpus, load_config(PROFILE))
    doc = {g.mention.article_id: g.doc for g in corpus.mentions}
    story = {doc[a]: s for a, s in stories.items()}
    assert story["1_1ecb"] == story["1_2ecb"] != story["1_1ecbplus"]
    assert story_scores(corpus, stories)["f1"] == 1.0


def test_link_errors_sort_pairs_by_outcome_and_place(corpus_dir: Path):
    corpus = read_corpus(corpus_dir, [1])
    # Everything in one cluster: every coreferent pair is correct, every other pair wrong.
    counts = link_errors(corpus, {g.mention.id: "one" for g in corpus.mentions})
    assert counts["correct/cross_doc/same_lemma"] == 1  # quake / quake
    assert counts["correct/cross_doc/other_lemma"] == 1  # "struck" / "hit"
    assert counts["wrong/cross_doc/other_lemma"] == 4
    # The other coast's quake and "struck" against the first story's: 3 of 10 pairs share a lemma.
    assert counts["wrong/cross_subtopic/same_lemma"] == 3
    assert counts["wrong/cross_subtopic/other_lemma"] == 7
    assert counts["wrong/within_doc/other_lemma"] == 1 + 3 + 1  # each document's own pairs
    assert sum(v for k, v in counts.items() if k.startswith("missed")) == 0
    # Every mention alone: the two coreferent pairs are missed, nothing is linked.
    alone = link_errors(corpus, {g.mention.id: g.mention.id for g in corpus.mentions})
    assert sum(v for k, v in alone.items() if k.startswith("missed")) == 2
    assert sum(v for k, v in alone.items() if not k.startswith("missed")) == 0


def test_topics_are_parsed_and_checked(corpus_dir: Path):
    assert parse_topics("dev", corpus_dir) == DEV_TOPICS
    assert parse_topics("1", corpus_dir) == (1,)
    with pytest.raises(ValueError, match="no topic folder 7"):
        parse_topics("1,7", corpus_dir)
    with pytest.raises(ValueError, match="numbers"):
        parse_topics("one", corpus_dir)


@pytest.mark.slow
def test_dev_topics_beat_the_lemma_baseline():
    require_shared(SHARED)
    assert 2 not in train_topics(SHARED) and 3 in train_topics(SHARED)
    report = evaluate_ecbplus(SHARED, topics=DEV_TOPICS)
    assert report["mentions"] > 1000
    assert report["system"]["conll_f1"] > report["lemma_baseline"]["conll_f1"]
