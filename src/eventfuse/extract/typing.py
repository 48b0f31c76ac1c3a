"""Event typing that generalizes: a trained linear head over a sentence embedding and the
lexicon's evidence scores the PLOVER category (docs/typing.md).

The lexicon (events.py) finds the trigger and proposes a category; this head sees the whole
sentence (MiniLM embedding) beside what the lexicon proposed (its main category, the source of
that trigger, every category it found in the sentence) and gives the final category. The trigger
span stays the lexicon's. Weights: data/typing_head.npz, trained by ``make train``; their data
hashes and cross-validated score are in data/typing_head.json.

Pure API: ``get_typing_model()`` (loaded once per process) and ``TypingModel.predict`` (batched).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Span

from eventfuse.errors import EventfuseError
from eventfuse.extract.events import (
    EventCandidate,
    acled_fallback_event_types,
    acled_rule,
    main_event,
)

SOURCES = ("verb", "noun", "light", "cameo")
# Where a candidate's trigger stands in its sentence (s8type, docs/typing.md): the root, the
# reported content of a speech verb, a complement or adverbial clause, a noun's argument or
# modifier, a conjunct, anything else. The head learns one tied weight per role: PLOVER codes a
# sentence's governing happening, not the one a modifier or a conjunct mentions.
ROLES = ("root", "content", "clause", "argument", "conj", "other")
ROLE_OF_DEP = {
    "ROOT": "root",
    "ccomp": "content",
    "parataxis": "content",
    "xcomp": "clause",
    "advcl": "clause",
    "acl": "argument",
    "relcl": "argument",
    "amod": "argument",
    "pobj": "argument",
    "pcomp": "argument",
    "compound": "argument",
    "nmod": "argument",
    "appos": "argument",
    "dobj": "argument",
    "nsubj": "argument",
    "nsubjpass": "argument",
    "attr": "argument",
    "conj": "conj",
}
HEAD_FILE = "typing_head.npz"
META_FILE = "typing_head.json"


class TypingError(EventfuseError):
    """The typing head's weights are missing or do not fit this code."""


@dataclass(frozen=True, slots=True)
class LexiconEvidence:
    """What the lexicon found in one sentence: its main event's category, mode and trigger
    source, and every category of the sentence's candidates."""

    main_type: str | None = None
    main_mode: str | None = None
    main_source: str | None = None
    types: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()  # (category, role in ROLES) of every candidate


@dataclass(frozen=True, slots=True)
class TypePrediction:
    category: str
    mode: str | None
    probability: float  # the head's probability of ``category``
    lexicon_category: str | None  # what the lexicon alone said

    @property
    def overrides_lexicon(self) -> bool:
        return self.lexicon_category is not None and self.category != self.lexicon_category


@dataclass(frozen=True, slots=True)
class FeatureLayout:
    """How a sentence becomes features; stored with the weights so both always agree.

    The score of category c for a sentence is
      sum_s a_s [the lexicon's main trigger, from source s, says c] + b [a candidate says c]
      + g log p_prior(c | embedding) + embedding . w_c
    The *tied* weights a, b, g are shared by all categories: they learn how far to trust the
    lexicon and the prior from few gold sentences, where a weight per (category, category) pair
    would not generalize. The prior is a classifier of the embedding trained on the openly
    licensed synthetic data; w is trained on gold sentences with a strong penalty. No
    per-category bias: the lexicon, not the class frequency of a small gold set, decides
    where nothing else does."""

    categories: tuple[str, ...]
    embedding_scale: float
    use_embedding: bool = True
    use_lexicon: bool = True
    use_prior: bool = True
    use_roles: bool = False  # "a candidate in role r says c" instead of "any" (s8type)

    @property
    def width(self) -> int:
        return 384 if self.use_embedding else 0

    @property
    def tied_count(self) -> int:
        # With roles, "some candidate says c" is split by the candidate's role.
        lexicon = len(SOURCES) + (len(ROLES) if self.use_roles else 1) if self.use_lexicon else 0
        return lexicon + (1 if self.use_prior else 0)

    def rows(self, embeddings: NDArray[np.float32]) -> NDArray[np.float64]:
        """The scaled embedding of each sentence (no columns when embeddings are not used)."""
        if not self.use_embedding:
            return np.zeros((len(embeddings), 0))
        return embeddings.astype(np.float64) * self.embedding_scale

    def tied(
        self, evidence: Sequence[LexiconEvidence], prior_log: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """(tied features, sentences, categories): main trigger per source, any candidate (or,
        with roles, a candidate in each role), then the prior's log-probabilities."""
        index = {c: i for i, c in enumerate(self.categories)}
        parts: list[NDArray[np.float64]] = []
        if self.use_lexicon:
            extra = len(ROLES) if self.use_roles else 1
            lex = np.zeros((len(SOURCES) + extra, len(evidence), len(self.categories)))
            for row, ev in enumerate(evidence):
                if ev.main_type in index and ev.main_source in SOURCES:
                    lex[SOURCES.index(ev.main_source), row, index[ev.main_type]] = 1.0
                if self.use_roles:
                    for kind, role in ev.roles:
                        if kind in index and role in ROLES:
                            lex[len(SOURCES) + ROLES.index(role), row, index[kind]] = 1.0
                    continue
                for kind in ev.types:
                    if kind in index:
                        lex[len(SOURCES), row, index[kind]] = 1.0
            parts.append(lex)
        if self.use_prior:
            if prior_log is None:
                raise ValueError("this layout needs the prior's log-probabilities")
            parts.append(prior_log[None, :, :])
        if not parts:
            return np.zeros((0, len(evidence), len(self.categories)))
        return np.concatenate(parts, axis=0)


def prior_log_probabilities(
    prior: NDArray[np.float64], embeddings: NDArray[np.float32], scale: float
) -> NDArray[np.float64]:
    """log p(category | embedding) of the prior: multinomial logistic regression whose last
    weight row is the bias."""
    x = np.hstack([embeddings.astype(np.float64) * scale, np.ones((len(embeddings), 1))])
    result: NDArray[np.float64] = np.log(np.clip(softmax(x @ prior), 1e-12, None))
    return result


@dataclass(frozen=True, slots=True)
class TypingModel:
    layout: FeatureLayout
    weights: NDArray[np.float64]  # (embedding width, categories)
    tied: NDArray[np.float64]  # (tied features,)
    prior: NDArray[np.float64]  # (385, categories), or (0, categories) without a prior
    meta: dict[str, Any]
    # the embedding's reach against each best category, and the answer for each evidence seen
    # (decided_by_lexicon: sentences repeat the same evidence), computed once
    _reach: dict[int, NDArray[np.float64]] = field(default_factory=dict, compare=False,
                                                   repr=False)
    _decided: dict[LexiconEvidence, str | None] = field(default_factory=dict, compare=False,
                                                        repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> TypingModel:
        """The head from ``path`` (an .npz written by ``save``), default the shipped one."""
        head = path or Path(str(resources.files("eventfuse.data").joinpath(HEAD_FILE)))
        try:
            with np.load(head, allow_pickle=False) as arrays:
                weights = np.asarray(arrays["weights"], dtype=np.float64)
                tied = np.asarray(arrays["tied"], dtype=np.float64)
                prior = np.asarray(arrays["prior"], dtype=np.float64)
                meta = json.loads(str(arrays["meta"]))
            layout = FeatureLayout(
                categories=tuple(meta["categories"]),
                embedding_scale=float(meta["embedding_scale"]),
                use_embedding=bool(meta["use_embedding"]),
                use_lexicon=bool(meta["use_lexicon"]),
                use_prior=bool(meta["use_prior"]),
                use_roles=bool(meta.get("use_roles", False)),
            )
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise TypingError(f"[T010] cannot load typing head {head}: {exc}") from exc
        k = len(layout.categories)
        expected = ((layout.width, k), (layout.tied_count,), (385 if layout.use_prior else 0, k))
        if (weights.shape, tied.shape, prior.shape) != expected:
            raise TypingError(
                f"[T011] typing head {head}: arrays {weights.shape}, {tied.shape}, {prior.shape}"
                f" do not fit the layout {expected}"
            )
        return cls(layout, weights, tied, prior, meta)

    def save(self, path: Path) -> None:
        meta = json.dumps(self.meta, sort_keys=True)
        np.savez_compressed(
            path, weights=self.weights, tied=self.tied, prior=self.prior, meta=np.array(meta)
        )

    def probabilities(
        self, embeddings: NDArray[np.float32], evidence: Sequence[LexiconEvidence]
    ) -> NDArray[np.float64]:
        layout = self.layout
        prior_log = (
            prior_log_probabilities(self.prior, embeddings, layout.embedding_scale)
            if layout.use_prior
            else None
        )
        scores = layout.rows(embeddings) @ self.weights
        scores = scores + np.tensordot(self.tied, layout.tied(evidence, prior_log), axes=1)
        return softmax(scores)

    def decided_by_lexicon(self, ev: LexiconEvidence) -> str | None:
        """The category when the embedding cannot change it, else None (exact, so the
        embedding is skipped only where it would not matter): no embedding term can move a
        category c above the lexicon's best c1 when score(c1) - score(c) exceeds
        scale * |w_c - w_c1| (the embedding is a unit vector)."""
        if ev not in self._decided:
            if len(self._decided) >= 1 << 16:  # bounded, whatever the corpus
                self._decided.clear()
            self._decided[ev] = self._decide(ev)
        return self._decided[ev]

    def _decide(self, ev: LexiconEvidence) -> str | None:
        if self.layout.use_prior or not self.layout.use_lexicon:
            return None
        lexicon = np.tensordot(self.tied, self.layout.tied([ev]), axes=1)[0]
        best = int(lexicon.argmax())
        if not self.layout.use_embedding:
            return self.layout.categories[best]
        reach = self._reach.get(best)
        if reach is None:
            reach = self._reach[best] = self.layout.embedding_scale * np.linalg.norm(
                self.weights - self.weights[:, best : best + 1], axis=0
            )
        gaps = lexicon[best] - lexicon
        gaps[best] = np.inf
        return self.layout.categories[best] if bool((gaps > reach).all()) else None

    def predict(
        self, sentences: Sequence[str], evidence: Sequence[LexiconEvidence]
    ) -> list[TypePrediction]:
        """The category of each sentence (batched: one embedding pass for all of them)."""
        if len(sentences) != len(evidence):
            raise ValueError("one LexiconEvidence per sentence")
        if not sentences:
            return []
        needs = self.layout.use_embedding or self.layout.use_prior
        embeddings = _embed(sentences) if needs else _no_embedding(sentences)
        return self.predict_embedded(embeddings, evidence)

    def predict_embedded(
        self, embeddings: NDArray[np.float32], evidence: Sequence[LexiconEvidence]
    ) -> list[TypePrediction]:
        probs = self.probabilities(embeddings, evidence)
        result = []
        for row, ev in zip(probs, evidence, strict=True):
            best = int(row.argmax())
            category = self.layout.categories[best]
            # The lexicon's mode is evidence of the trigger; it only holds for its own category.
            mode = ev.main_mode if category == ev.main_type else None
            result.append(TypePrediction(category, mode, round(float(row[best]), 4), ev.main_type))
        return result


def softmax(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result


def _embed(sentences: Sequence[str]) -> NDArray[np.float32]:
    from eventfuse.extract.embedding import get_embedder

    return get_embedder().embed(sentences)


def _no_embedding(sentences: Sequence[str]) -> NDArray[np.float32]:
    return np.zeros((len(sentences), 384), dtype=np.float32)


@functools.cache
def get_typing_model() -> TypingModel:
    """The shipped head (loaded once per process)."""
    return TypingModel.load()


def lexicon_evidence(candidates: Sequence[EventCandidate]) -> LexiconEvidence:
    """The evidence of one sentence's lexicon candidates (its main event first)."""
    main = main_event(candidates)
    if main is None:
        return LexiconEvidence()
    return LexiconEvidence(
        main_type=main.type,
        main_mode=main.mode,
        main_source=main.source,
        types=tuple(sorted({c.type for c in candidates})),
        roles=tuple(sorted({(c.type, trigger_role(c)) for c in candidates})),
    )


def trigger_role(cand: EventCandidate) -> str:
    """The role (ROLES) of a candidate's trigger in its sentence, from its dependency label."""
    return ROLE_OF_DEP.get(cand.trigger.dep_, "other")


# --- ACLED sub-type fallback ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubtypePrototypes:
    """One unit vector per ACLED sub-type: the mean embedding of its descriptions
    (data/acled_subtype_prototypes.yaml)."""

    labels: tuple[tuple[str, str], ...]  # (event_type, sub_event_type)
    centroids: NDArray[np.float32]

    def nearest(
        self, embeddings: NDArray[np.float32], allowed: Sequence[frozenset[str] | None]
    ) -> list[tuple[str, str, float]]:
        """The nearest sub-type of each row, among the event types ``allowed`` for it (None:
        any), with its cosine similarity."""
        sims = embeddings @ self.centroids.T
        result = []
        for row, event_types in zip(sims, allowed, strict=True):
            mask = np.array([event_types is None or e in event_types for e, _ in self.labels])
            scores = np.where(mask, row, -np.inf)
            best = int(scores.argmax())
            event_type, sub_type = self.labels[best]
            result.append((event_type, sub_type, round(float(row[best]), 4)))
        return result


def evidence_subtype(sentence: Span) -> tuple[str, str] | None:
    """The ACLED (event type, sub-type) that the crosswalk's category-free rules give a sentence
    in which the lexicon found no happening (defusing, hand-overs, relocations: words that
    decide the sub-type whatever the category), read around the sentence's root verb; None when
    no such rule holds (then the nearest sub-type description is the fallback)."""
    rule = acled_rule("", None, sentence, sentence.root)
    if rule is None or "types" in rule or "require_type" in rule:
        return None
    return str(rule["event_type"]), str(rule["sub_event_type"])


@functools.cache
def get_subtype_prototypes() -> SubtypePrototypes:
    """The embedded sub-type descriptions (embedded once per process)."""
    from eventfuse.yamlfile import load_yaml

    path = resources.files("eventfuse.data").joinpath("acled_subtype_prototypes.yaml")
    raw = load_yaml(path.read_text(encoding="utf-8"))
    labels: list[tuple[str, str]] = []
    texts: list[str] = []
    owner: list[int] = []
    for event_type, subs in raw.items():
        for sub_type, descriptions in subs.items():
            labels.append((str(event_type), str(sub_type)))
            texts += [str(d) for d in descriptions]
            owner += [len(labels) - 1] * len(descriptions)
    vectors = _embed(texts)
    centroids = np.zeros((len(labels), vectors.shape[1]), dtype=np.float32)
    for row, index in zip(vectors, owner, strict=True):
        centroids[index] += row
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return SubtypePrototypes(tuple(labels), centroids)


# --- the hook: retyping a document's candidates ------------------------------------------------


def type_candidates(
    candidates: Sequence[EventCandidate], keep_mentions: bool = True
) -> list[EventCandidate]:
    """The lexicon's candidates with the classifier's say (docs/typing.md): in each sentence
    that has candidates, the main candidate takes the head's category, and an ACLED sub-type
    that only a category default gave is refined by the nearest sub-type description. Only the
    sentences where the embedding can change something are embedded, in one batch.

    With ``keep_mentions`` (rule ``classifier_keeps_mentions``) the main candidate keeps its own
    category when the head chose that of another candidate of the sentence: the head picks the
    sentence's one event (as PLOVER codes a sentence), and in extraction that other candidate
    is already a mention of its own; retyping the main would tell one happening twice."""
    if not candidates:
        return []
    model = get_typing_model()
    by_sentence: dict[int, list[EventCandidate]] = {}
    for cand in candidates:
        by_sentence.setdefault(cand.sentence.start, []).append(cand)
    mains: list[EventCandidate] = []
    evidence: list[LexiconEvidence] = []
    for group in by_sentence.values():
        main = main_event(group)
        if main is not None:
            mains.append(main)
            evidence.append(lexicon_evidence(group))

    def kept(i: int, kind: str) -> str:
        others = {t for t in evidence[i].types if t != mains[i].type}
        return mains[i].type if keep_mentions and kind in others else kind

    decided = [model.decided_by_lexicon(ev) for ev in evidence]
    decided = [None if kind is None else kept(i, kind) for i, kind in enumerate(decided)]
    pending = [
        i
        for i, (main, kind) in enumerate(zip(mains, decided, strict=True))
        if kind is None or _refinable(main, kind, main.mode if kind == main.type else None)
    ]
    vectors = _embed([mains[i].sentence.text for i in pending]) if pending else _no_embedding([])
    changed: dict[int, EventCandidate] = {}
    for row, i in enumerate(pending):
        main, ev, kind = mains[i], evidence[i], decided[i]
        mode = main.mode if kind == main.type else None
        if kind is None:
            prediction = model.predict_embedded(vectors[row : row + 1], [ev])[0]
            kind, mode = prediction.category, prediction.mode  # the head learnt stated categories
            if kept(i, kind) != kind:
                kind, mode = main.type, main.mode
        changed[id(main)] = _with_acled(main, kind, mode, vectors[row])
    for i, kind in enumerate(decided):
        main = mains[i]
        if kind is not None and id(main) not in changed and kind != main.type:
            changed[id(main)] = _with_acled(main, kind, None, None)
    return [changed.get(id(c), c) for c in candidates]


def _refinable(cand: EventCandidate, kind: str, mode: str | None) -> bool:
    """Whether only a category default gives the sub-type, with alternatives to choose from."""
    rule = acled_rule(kind, mode, cand.sentence, cand.trigger)
    return bool(rule and rule.get("default") and acled_fallback_event_types().get(kind))


def _with_acled(
    cand: EventCandidate, kind: str, mode: str | None, vector: NDArray[np.float32] | None
) -> EventCandidate:
    rule = acled_rule(kind, mode, cand.sentence, cand.trigger)
    event_type = rule["event_type"] if rule else None
    sub_type = rule["sub_event_type"] if rule else None
    if vector is not None and rule is not None and rule.get("default"):
        allowed = acled_fallback_event_types().get(kind)
        if allowed:
            event_type, sub_type, _ = get_subtype_prototypes().nearest(
                vector[None, :], [frozenset(allowed)]
            )[0]
    if (kind, mode, event_type, sub_type) == (
        cand.type,
        cand.mode,
        cand.acled_event_type,
        cand.acled_sub_event_type,
    ):
        return cand
    return replace(
        cand, type=kind, mode=mode, acled_event_type=event_type, acled_sub_event_type=sub_type
    )
