"""ECB+ cross-document event coreference, scored with the product's own matcher.

Reads ECB+ XML (``<dir>/<topic>/<doc>.xml``), keeps the event mentions (ACTION_* and
NEG_ACTION_* markables) in the sentences listed in ``ECBplus_coreference_sentences.csv``, takes
gold clusters from CROSS_DOC_COREF (the instance a chain refers to) and INTRA_DOC_COREF (a
within-document chain that joins no cross-document one: the release's README), unlinked
mentions being singletons, as the usual ECB+ set-ups do (1,245 dev mentions), turns each
gold mention into a :class:`~eventfuse.records.Mention` (trigger, sentence, doc as article,
participants / times / locations of the same sentence) and clusters them with the same story
clustering, blocking, pairwise score and clustering as ``eventfuse.fuse`` (profile ``ecbplus``
of data/fusion.yaml).

Honest by construction: the product sees one topic at a time, as articles with opaque ids (a
hash of the file name) holding the whole document text, and the gold mention spans; never the
sub-topic (``ecb`` / ``ecbplus`` in the file name). Its own story clustering groups the
articles. An "oracle" run with the gold sub-topics as stories is scored beside it, labelled so,
with the usual lemma baselines (same trigger head lemma within a topic, or a sub-topic).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from eventfuse.evaluate.metrics import b_cubed, score_all
from eventfuse.fuse.blocking import candidate_pairs, story_clusters
from eventfuse.fuse.cluster import cluster_mentions
from eventfuse.fuse.config import FusionConfig, load_config
from eventfuse.fuse.features import MentionFeatures, build_features
from eventfuse.fuse.match import PairScore
from eventfuse.records import Actor, Article, Evidence, Mention, Place, When

DEV_TOPICS: tuple[int, ...] = (2, 5, 12, 18, 21, 23, 34, 35)
SENTENCES_FILE = "ECBplus_coreference_sentences.csv"
PROFILE = "ecbplus"
EVENT_TAGS = ("ACTION_", "NEG_ACTION_")  # "did not attend" is an event mention too
_DOC = re.compile(r"^(\d+)_(\d+)(ecb|ecbplus)\.xml$")


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One ACTION mention of ECB+ as a product Mention, with what scoring needs."""

    doc: str
    m_id: str
    topic: int
    story: str  # topic:subtopic, e.g. "2:ecbplus" (gold: for the oracle and scoring only)
    gold: str  # CROSS_DOC_COREF instance id, or a singleton id
    head_lemma: str
    mention: Mention


@dataclass(frozen=True, slots=True)
class Corpus:
    mentions: tuple[GoldMention, ...]
    lemmas: Mapping[str, frozenset[str]]  # mention id -> trigger lemmas (from the parse)
    articles: tuple[Article, ...] = ()  # whole documents under opaque ids, in id order

    def topics(self) -> tuple[int, ...]:
        return tuple(sorted({g.topic for g in self.mentions}))


def article_id(topic: int, doc: str) -> str:
    """An id that says the topic (given to the product anyway) and nothing of the sub-topic."""
    return f"t{topic}-{hashlib.sha256(doc.encode()).hexdigest()[:10]}"


def train_topics(directory: Path) -> tuple[int, ...]:
    """Topics present under ``directory`` that are not dev topics (tune on these only)."""
    present = sorted(int(p.name) for p in directory.iterdir() if p.is_dir() and p.name.isdigit())
    return tuple(t for t in present if t not in DEV_TOPICS)


def parse_topics(spec: str, directory: Path) -> tuple[int, ...]:
    """'dev', 'train' or comma-separated topic numbers."""
    if spec == "dev":
        return DEV_TOPICS
    if spec == "train":
        return train_topics(directory)
    try:
        topics = tuple(sorted({int(t) for t in spec.split(",") if t.strip()}))
    except ValueError as exc:
        message = f"topics must be 'dev', 'train' or numbers like 2,5,12, not {spec!r}"
        raise ValueError(message) from exc
    if not topics:
        raise ValueError("no topic given")
    missing = [t for t in topics if not (directory / str(t)).is_dir()]
    if missing:
        raise ValueError(f"no topic folder {', '.join(map(str, missing))} under {directory}")
    return topics


def read_corpus(directory: Path, topics: Iterable[int]) -> Corpus:
    """Gold ACTION mentions of ``topics`` with their sentences parsed by the shared pipeline."""
    annotated = _annotated_sentences(directory / SENTENCES_FILE)
    raw: list[_RawMention] = []
    articles: list[Article] = []
    for topic in sorted(set(topics)):
        for path in sorted((directory / str(topic)).glob("*.xml")):
            document = _read_document(path, annotated.get(path.stem, set()))
            if document is not None:
                articles.append(document[0])
                raw.extend(document[1])
    corpus = _with_lemmas(raw)
    return Corpus(corpus.mentions, corpus.lemmas, tuple(sorted(articles, key=lambda a: a.id)))


def _annotated_sentences(path: Path) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out[f"{row['Topic']}_{row['File']}"].add(int(row["Sentence Number"]))
    return out


@dataclass(frozen=True, slots=True)
class _RawMention:
    doc: str
    m_id: str
    topic: int
    story: str
    gold: str
    words: tuple[str, ...]  # the sentence's tokens
    trigger: tuple[int, ...]  # token positions in the sentence
    text: str  # the document text built from annotated sentences
    sentence_start: int
    offsets: tuple[int, ...]  # character offset of each sentence token in ``text``
    context: Mapping[str, tuple[str, ...]]  # "time" / "location" / "participant" texts


def _read_document(path: Path, sentences: set[int]) -> tuple[Article, list[_RawMention]] | None:
    """The whole document as an article, and the ACTION mentions of its annotated sentences."""
    match = _DOC.match(path.name)
    if match is None or not sentences:
        return None
    topic, subtopic = int(match.group(1)), match.group(3)
    root = ElementTree.parse(path).getroot()
    tokens = {
        t.get("t_id"): (int(t.get("sentence", -1)), int(t.get("number", 0)), t.text or "")
        for t in root.iter("token")
    }
    by_sentence: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for t_id, (sentence, number, word) in tokens.items():
        by_sentence[sentence].append((number, t_id, word))
    text, offsets = _layout(by_sentence)
    gold = _gold_instances(root, path.stem)
    markables = _markables(root, tokens)
    out = []
    for tag, m_id, token_ids in markables:
        if not tag.startswith(EVENT_TAGS):
            continue
        sentence = tokens[token_ids[0]][0]
        if sentence not in sentences or any(tokens[t][0] != sentence for t in token_ids):
            continue  # a mention across sentences: not in the annotated set
        ordered = sorted(by_sentence[sentence])
        position = {t_id: i for i, (_, t_id, _) in enumerate(ordered)}
        out.append(
            _RawMention(
                doc=path.stem,
                m_id=m_id,
                topic=topic,
                story=f"{topic}:{subtopic}",
                gold=gold.get(m_id, f"singleton:{path.stem}:{m_id}"),
                words=tuple(w for _, _, w in ordered),
                trigger=tuple(sorted(position[t] for t in token_ids)),
                text=text,
                sentence_start=offsets[ordered[0][1]],
                offsets=tuple(offsets[t_id] for _, t_id, _ in ordered),
                context=_context(markables, tokens, sentence, by_sentence),
            )
        )
    return Article(id=article_id(topic, path.stem), text=text), out


def _layout(by_sentence: Mapping[int, list[tuple[int, str, str]]]) -> tuple[str, dict[str, int]]:
    parts: list[str] = []
    offsets: dict[str, int] = {}
    position = 0
    for sentence in sorted(by_sentence):
        for _, t_id, word in sorted(by_sentence[sentence]):
            offsets[t_id] = position
            parts.append(word + " ")
            position += len(word) + 1
        parts.append("\n")
        position += 1
    return "".join(parts), offsets


def _gold_instances(root: Any, doc: str) -> dict[str, str]:
    """Mention id -> chain: a cross-document chain's instance id, or a within-document chain
    named by its document and relation id (the release gives such chains no instance)."""
    out: dict[str, str] = {}
    for relation in root.iter("CROSS_DOC_COREF"):
        for source in relation.iter("source"):
            out[source.get("m_id")] = relation.get("note")
    for relation in root.iter("INTRA_DOC_COREF"):
        for source in relation.iter("source"):
            out.setdefault(source.get("m_id"), f"intra:{doc}:{relation.get('r_id')}")
    return out


def _markables(
    root: Any, tokens: Mapping[str, tuple[int, int, str]]
) -> list[tuple[str, str, list[str]]]:
    out = []
    markables = root.find("Markables")
    for element in markables if markables is not None else ():
        anchors = [a.get("t_id") for a in element.iter("token_anchor")]
        if anchors and all(a in tokens for a in anchors):
            out.append((element.tag, element.get("m_id"), anchors))
    return out


_CONTEXT_KINDS = (
    ("TIME_", "time"),
    ("LOC_", "location"),
    ("HUMAN_PART", "participant"),
    ("NON_HUMAN_PART", "participant"),
)


def _context(
    markables: Sequence[tuple[str, str, list[str]]],
    tokens: Mapping[str, tuple[int, int, str]],
    sentence: int,
    by_sentence: Mapping[int, list[tuple[int, str, str]]],
) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)
    for tag, _, anchors in markables:
        if tokens[anchors[0]][0] != sentence:
            continue
        kind = next((k for prefix, k in _CONTEXT_KINDS if tag.startswith(prefix)), None)
        if kind is not None:
            out[kind].append(" ".join(tokens[a][2] for a in anchors))
    return {k: tuple(v) for k, v in out.items()}


def _with_lemmas(raw: Sequence[_RawMention]) -> Corpus:
    from spacy.tokens import Doc

    from eventfuse.nlp import get_nlp

    nlp = get_nlp()
    sentences = sorted({r.words for r in raw})
    parsed = dict(
        zip(sentences, nlp.pipe(Doc(nlp.vocab, words=list(s)) for s in sentences), strict=True)
    )
    mentions = []
    lemmas: dict[str, frozenset[str]] = {}
    for r in raw:
        doc = parsed[r.words]
        span = [doc[i] for i in r.trigger]
        content = frozenset(t.lemma_.lower() for t in span if not t.is_stop and not t.is_punct)
        head = next((t for t in span if t.head.i not in r.trigger or t.head.i == t.i), span[0])
        record = _record(r)
        lemmas[record.id] = content or frozenset({head.lemma_.lower()})
        mentions.append(
            GoldMention(r.doc, r.m_id, r.topic, r.story, r.gold, head.lemma_.lower(), record)
        )
    return Corpus(tuple(mentions), lemmas)


def _record(r: _RawMention) -> Mention:
    article = article_id(r.topic, r.doc)
    start = r.offsets[r.trigger[0]]
    end = r.offsets[r.trigger[-1]] + len(r.words[r.trigger[-1]])
    sentence_end = r.offsets[-1] + len(r.words[-1])
    places = r.context.get("location", ())
    times = r.context.get("time", ())
    return Mention(
        id=f"{article}#{r.m_id}",
        article_id=article,
        type="ACTION",
        trigger=Evidence(article, start, end, r.text[start:end]),
        sentence=Evidence(
            article, r.sentence_start, sentence_end, r.text[r.sentence_start : sentence_end]
        ),
        actors=tuple(Actor("actor", p, p.lower()) for p in r.context.get("participant", ())),
        location=Place(places[0]) if places else None,
        places=tuple(Place(p) for p in places[1:]),
        when=When(times[0]) if times else None,
    )


def product_stories(corpus: Corpus, config: FusionConfig) -> dict[str, str]:
    """Article id -> story, from the product's own story clustering, one topic at a time."""
    stories: dict[str, str] = {}
    for topic in corpus.topics():
        prefix = f"t{topic}-"
        articles = [a for a in corpus.articles if a.id.startswith(prefix)]
        mentions = [g.mention for g in corpus.mentions if g.topic == topic]
        stories.update(story_clusters(articles, mentions, config, WINDOW_DAYS))
    return stories


def oracle_stories(corpus: Corpus) -> dict[str, str]:
    """Article id -> gold sub-topic: information no user has (the "oracle" run only)."""
    return {g.mention.article_id: g.story for g in corpus.mentions}


def cluster_corpus(
    corpus: Corpus, config: FusionConfig, threshold: float, stories: Mapping[str, str]
) -> dict[str, str]:
    """Mention id -> cluster id, from the product's blocking, pair score and clustering."""
    features = corpus_features(corpus, config, stories)
    return cluster_features(features, config, threshold)


def corpus_features(
    corpus: Corpus, config: FusionConfig, stories: Mapping[str, str], embed: bool | None = None
) -> list[MentionFeatures]:
    mentions = [g.mention for g in corpus.mentions]
    return build_features(mentions, stories, config, corpus.lemmas, embed)


WINDOW_DAYS = 3  # no ECB+ mention carries a resolved date, so the window never applies


def cluster_features(
    features: Sequence[MentionFeatures],
    config: FusionConfig,
    threshold: float,
    known: Mapping[tuple[int, int], PairScore] | None = None,
) -> dict[str, str]:
    pairs = set(known) if known is not None else candidate_pairs(features, WINDOW_DAYS)
    clusters = cluster_mentions(features, pairs, config, threshold, WINDOW_DAYS, known)
    return {m: cluster[0] for cluster in clusters for m in cluster}


def story_scores(corpus: Corpus, stories: Mapping[str, str]) -> dict[str, float]:
    """B³ of the product's article grouping against the gold sub-topics."""
    gold = oracle_stories(corpus)
    b3 = b_cubed(_clusters(gold), _clusters({a: stories[a] for a in gold}))
    return b3.as_dict()


LINK_KINDS = ("correct", "wrong", "missed")
PLACES = ("within_doc", "cross_doc", "cross_subtopic")


def link_errors(corpus: Corpus, assignment: Mapping[str, str]) -> dict[str, int]:
    """Mention pairs of one topic by outcome (a link ``correct``, ``wrong`` or ``missed``), by
    where the two mentions are (one document, two documents of one sub-topic, two sub-topics;
    the gold sub-topic is read for scoring only) and by whether their trigger head lemmas are
    the same: "wrong/cross_subtopic/same_lemma" counts the story merges' pairs. Pairs neither
    linked nor coreferent are not counted. Keys sorted, zero counts kept."""
    counts = {
        f"{kind}/{place}/{lemma}": 0
        for kind in LINK_KINDS
        for place in PLACES
        for lemma in ("same_lemma", "other_lemma")
    }
    by_topic: dict[int, list[GoldMention]] = defaultdict(list)
    for g in corpus.mentions:
        by_topic[g.topic].append(g)
    for mentions in by_topic.values():
        for k, a in enumerate(mentions):
            for b in mentions[k + 1 :]:
                gold = a.gold == b.gold
                linked = assignment[a.mention.id] == assignment[b.mention.id]
                if not gold and not linked:
                    continue
                kind = "correct" if gold and linked else "wrong" if linked else "missed"
                if a.doc == b.doc:
                    place = "within_doc"
                else:
                    place = "cross_doc" if a.story == b.story else "cross_subtopic"
                lemma = "same_lemma" if a.head_lemma == b.head_lemma else "other_lemma"
                counts[f"{kind}/{place}/{lemma}"] += 1
    return dict(sorted(counts.items()))


def lemma_baseline(corpus: Corpus, by_story: bool = False) -> dict[str, str]:
    """Same trigger head lemma within a topic (or within a subtopic) -> one cluster."""
    return {
        g.mention.id: f"{g.story if by_story else g.topic}:{g.head_lemma}" for g in corpus.mentions
    }


def _clusters(assignment: Mapping[str, str]) -> list[set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for mention_id, cluster in assignment.items():
        groups[cluster].add(mention_id)
    return [groups[k] for k in sorted(groups)]


def gold_clusters(corpus: Corpus) -> list[set[str]]:
    return _clusters({g.mention.id: g.gold for g in corpus.mentions})


def evaluate_ecbplus(
    directory: Path,
    predictions_out: Path | None = None,
    topics: Sequence[int] = DEV_TOPICS,
    profile: str = PROFILE,
) -> dict[str, Any]:
    """Score the product's clustering (its own stories), the oracle run (gold sub-topics as
    stories) and the lemma baselines on ``topics`` of ECB+."""
    corpus = read_corpus(directory, topics)
    config = load_config(profile)
    threshold = config.match_threshold if config.match_threshold is not None else 0.5
    stories = product_stories(corpus, config)
    system = cluster_corpus(corpus, config, threshold, stories)
    key = gold_clusters(corpus)
    if predictions_out is not None:
        write_predictions(corpus, system, predictions_out)
    oracle = cluster_corpus(corpus, config, threshold, oracle_stories(corpus))
    return {
        "topics": list(topics),
        "mentions": len(corpus.mentions),
        "gold_clusters": len(key),
        "profile": profile,
        "threshold": threshold,
        "system": score_all(key, _clusters(system)),
        "stories_b3": story_scores(corpus, stories),
        "link_errors": link_errors(corpus, system),
        "oracle_gold_subtopic_stories": score_all(key, _clusters(oracle)),
        "lemma_baseline": score_all(key, _clusters(lemma_baseline(corpus))),
        "lemma_baseline_subtopic": score_all(key, _clusters(lemma_baseline(corpus, True))),
    }


def write_predictions(corpus: Corpus, assignment: Mapping[str, str], path: Path) -> None:
    """One JSON line per mention: {"doc", "m_id", "cluster"}."""
    with path.open("w", encoding="utf-8") as handle:
        for g in corpus.mentions:
            row = {"doc": g.doc, "m_id": g.m_id, "cluster": assignment[g.mention.id]}
            handle.write(json.dumps(row) + "\n")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--predictions", type=Path)
    parser.add_argument("--topics", type=int, nargs="*", default=list(DEV_TOPICS))
    args = parser.parse_args()
    report = evaluate_ecbplus(args.directory, args.predictions, args.topics)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
