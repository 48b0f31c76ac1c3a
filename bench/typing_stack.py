"""Learned combiners of the lexicon's evidence, fitted inside folds (issue 14, s8type).

    python bench/typing_stack.py [--data ../shared/data] [--cache .cache/typing] [--errors]

s3type, s5type and s7type (docs/typing.md) measured heads over the sentence / trigger
embeddings, all-category classifiers, override gates and a stacked classifier; none beat the
shipped head (PLOVER dev 5-fold CV 0.8497 / 0.8160). What none of them had is the *structure*
of the lexicon's candidates: where in the sentence each candidate stands (the root, the reported
content of a speech verb, a purpose clause, a modifier), whether it is real, and how it relates
to the main trigger. Declared before scoring, each fitted in the training folds only:

- ``roles``: the shipped head plus tied features "some candidate in role r says c" (root,
  content clause, complement / adverbial clause, noun argument / modifier, conjunct, other),
  "some real candidate says c", "a candidate under the main trigger says c", "a candidate
  governing the main trigger says c";
- ``protos``: the shipped head plus the cosine of the sentence's vector (and of the main
  trigger's in-context vector) to each category's codebook definitions (zero-shot prototypes
  from the PLOVER codebook, MIT), as tied features;
- ``bias``: a per-category bias, L2-penalized, its penalty chosen by nested CV (a calibrated
  per-class threshold in logit form);
- ``ranker``: a conditional logit over the lexicon's candidates (which one is the sentence's
  event, from its source, role, realness, rank, depth and prototype cosine), the head where the
  lexicon found nothing;
- combinations of the above.

Every figure: PLOVER dev, 5-fold CV with the training script's grouped folds (seed 14); beside
it, the variant fitted on all dev sentences scored on the 128 written sentences (text the
lexicon was not grown on). ``--errors`` prints the error analysis counts of the shipped head
(kinds only, never the sentences).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import EventCandidate, detect_events, main_event, normalize_category
from eventfuse.extract.typing import ROLE_OF_DEP, ROLES, SOURCES, softmax
from eventfuse.nlp import parse
from eventfuse.train import typing as train

Array = NDArray[np.float64]
# The product's role map (extract/typing.py): the bench measures the same roles it ships.
ROLE_OF = ROLE_OF_DEP
ROLE_FEATURES = (*ROLES, "real", "under", "over")
UNREAL = ("negated", "intent", "possibility", "conditional", "obligation", "habitual", "future")
VERSION = "s8-2"


@dataclass(frozen=True, slots=True)
class Cand:
    """One lexicon candidate, reduced to what the combiners read."""

    category: str
    source: str
    role: str
    inherited: str  # the role of the first ancestor that is not a conjunct (a conjunct's own)
    unreal: str | None
    is_main: bool
    under_main: bool  # the main trigger governs it
    over_main: bool  # it governs the main trigger
    depth: int
    rank: int  # position among the sentence's candidates in main-event order


@dataclass(frozen=True, slots=True)
class Data:
    examples: tuple[train.Example, ...]
    labels: NDArray[np.int64]
    emb: NDArray[np.float32]  # sentence vectors (the shipped head's)
    evidence: tuple[train.LexiconEvidence, ...]
    cands: tuple[tuple[Cand, ...], ...]
    cand_vec: tuple[NDArray[np.float32], ...]  # each candidate's in-context trigger vector
    main_vec: NDArray[np.float32]  # the main trigger's in-context vector (sentence if none)

    def take(self, index: Sequence[int]) -> Data:
        keep = list(index)
        return Data(
            tuple(self.examples[i] for i in keep),
            self.labels[keep],
            self.emb[keep],
            tuple(self.evidence[i] for i in keep),
            tuple(self.cands[i] for i in keep),
            tuple(self.cand_vec[i] for i in keep),
            self.main_vec[keep],
        )


def _conj_head(token: Any) -> Any:
    """A conjunct stands where the first word it is conjoined to stands."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    return token


def _depth(token: object) -> int:
    d, t = 0, token
    while t.head is not t and d < 50:  # type: ignore[attr-defined]
        t, d = t.head, d + 1  # type: ignore[attr-defined]
    return d


def _governs(a: object, b: object) -> bool:
    """True when token ``a`` is an ancestor of token ``b``."""
    return any(x.i == a.i for x in b.ancestors)  # type: ignore[attr-defined]


def describe(cands: Sequence[EventCandidate]) -> tuple[Cand, ...]:
    main = main_event(cands)
    ordered = sorted(cands, key=lambda c: (c.source == "cameo", c.trigger.i))
    out = []
    for c in cands:
        t = c.trigger
        is_main = main is not None and c.trigger.i == main.trigger.i
        out.append(
            Cand(
                c.type,
                c.source,
                ROLE_OF.get(t.dep_, "other"),
                ROLE_OF.get(_conj_head(t).dep_, "other"),
                c.unreal,
                is_main,
                main is not None and not is_main and _governs(main.trigger, t),
                main is not None and not is_main and _governs(t, main.trigger),
                _depth(t),
                ordered.index(c),
            )
        )
    return tuple(out)


def featurize(examples: Sequence[train.Example], cache: Path) -> Data:
    cats = train.categories()
    base = train.featurize(examples, cache)
    key = hashlib.sha256(
        ("\x1e".join(e.text for e in examples) + VERSION).encode("utf-8")
    ).hexdigest()[:20]
    stored = cache / f"stack-{key}.npz"
    labels = np.array([cats.index(e.label) for e in examples], dtype=np.int64)
    if stored.is_file():
        with np.load(stored, allow_pickle=False) as a:
            meta = json.loads(str(a["meta"]))
            flat = np.asarray(a["cand_vec"])
            main_vec = np.asarray(a["main_vec"])
        cands = tuple(tuple(Cand(*c) for c in row) for row in meta)
    else:
        texts = [e.text for e in examples]
        rows: list[tuple[Cand, ...]] = []
        span_texts: list[str] = []
        spans: list[tuple[int, int]] = []
        main_spans: list[tuple[int, int]] = []
        for doc in parse(texts, batch_size=64):
            found = detect_events(doc, include_unreal=True)
            rows.append(describe(found))
            main = main_event(found)
            main_spans.append(main.trigger_span if main else (0, len(doc.text)))
            for c in found:
                span_texts.append(doc.text)
                spans.append(c.trigger_span)
        embedder = get_embedder()
        _, flat = embedder.embed_spans(span_texts, spans) if spans else (None, np.zeros((0, 384)))
        _, main_vec = embedder.embed_spans(texts, main_spans)
        cands = tuple(rows)
        meta = [[list(_astuple(c)) for c in row] for row in rows]
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            stored, cand_vec=flat, main_vec=main_vec, meta=np.array(json.dumps(meta))
        )
    vecs: list[NDArray[np.float32]] = []
    at = 0
    for row in cands:
        vecs.append(np.asarray(flat[at : at + len(row)], dtype=np.float32))
        at += len(row)
    return Data(
        tuple(examples), labels, base.embeddings, base.evidence, cands, tuple(vecs), main_vec
    )


def _astuple(c: Cand) -> tuple[object, ...]:
    return (
        c.category,
        c.source,
        c.role,
        c.inherited,
        c.unreal,
        c.is_main,
        c.under_main,
        c.over_main,
        c.depth,
        c.rank,
    )


def prototypes(data_dir: Path) -> Array:
    """One unit vector per category: the mean MiniLM vector of its codebook definitions."""
    cats = train.categories()
    texts: dict[str, list[str]] = {c: [] for c in cats}
    path = data_dir / "ngec" / "PLOVER_structured_codebook_updated.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label, _ = normalize_category(row["event"])
            for text in (row.get("event_def") or "", row.get("mode_def") or ""):
                if label in texts and text.strip() and text.strip() not in texts[label]:
                    texts[label].append(text.strip())
    vecs = get_embedder().embed([t for c in cats for t in texts[c]])
    out = np.zeros((len(cats), vecs.shape[1]))
    at = 0
    for i, c in enumerate(cats):
        n = len(texts[c])
        if n:
            m = vecs[at : at + n].mean(axis=0)
            out[i] = m / np.linalg.norm(m)
        at += n
    return out


# --- the combiner: the shipped head's form with more tied features ------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    roles: tuple[str, ...] = ()  # which of ROLE_FEATURES are tied features
    protos: bool = False
    trigger_protos: bool = False
    bias_l2: float | None = None  # a per-category bias with this penalty; None: no bias
    embedding: bool = True
    competing: bool = False  # role features only where candidates of 2+ categories compete
    nonneg: bool = False  # role weights bounded at >= 0 (a role can only prefer, not veto)
    no_any: bool = False  # the role features replace "some candidate says c"
    emb_l2: float = 10.0  # the penalty on the embedding weights
    inherit: bool = False  # a conjunct takes the role of what it is conjoined to
    all_nonneg: bool = False  # "any candidate" bounded at >= 0 too


def tied_features(d: Data, v: Variant, protos: Array) -> Array:
    cats = train.categories()
    index = {c: i for i, c in enumerate(cats)}
    n, k = len(d.labels), len(cats)
    parts: list[Array] = []
    lex = np.zeros((len(SOURCES) + 1, n, k))
    for row, ev in enumerate(d.evidence):
        if ev.main_type in index and ev.main_source in SOURCES:
            lex[SOURCES.index(ev.main_source), row, index[ev.main_type]] = 1.0
        for kind in ev.types:
            if kind in index:
                lex[len(SOURCES), row, index[kind]] = 1.0
    parts.append(lex[: len(SOURCES)] if v.no_any else lex)
    if v.roles:
        extra = np.zeros((len(v.roles), n, k))
        for row, cands in enumerate(d.cands):
            if v.competing and len({c.category for c in cands}) < 2:
                continue
            for c in cands:
                j = index.get(c.category)
                if j is None:
                    continue
                role = c.inherited if v.inherit else c.role
                on = {role, "real" if c.unreal is None else "", "under" if c.under_main else ""}
                on.add("over" if c.over_main else "")
                on.update({f"unreal:{c.unreal}", f"{c.role}/{c.source}"})
                if c.is_main:
                    on.add(f"main:{c.role}")
                for f, name in enumerate(v.roles):
                    if name in on:
                        extra[f, row, j] = 1.0
        parts.append(extra)
    if v.protos:
        sims = d.emb.astype(np.float64) @ protos.T
        parts.append((sims - sims.mean(axis=1, keepdims=True))[None] * 10.0)
    if v.trigger_protos:
        sims = d.main_vec.astype(np.float64) @ protos.T
        parts.append((sims - sims.mean(axis=1, keepdims=True))[None] * 10.0)
    return np.concatenate(parts, axis=0)


def _fit(
    x: Array, tied: Array, labels: NDArray[np.int64], k: int, pen: Array, free: int | None = None
) -> tuple[Array, Array]:
    """Multinomial logistic regression: x @ w + a . tied, L2 ``pen`` per row of w."""
    y = np.zeros((len(labels), k))
    y[np.arange(len(labels)), labels] = 1.0
    n, dim = x.shape
    size = dim * k
    pen = pen[:, None] / n

    def loss(flat: Array) -> tuple[float, Array]:
        w, a = flat[:size].reshape(dim, k), flat[size:]
        p = softmax(cast(Array, x @ w + np.tensordot(a, tied, axes=1)))
        value = -float(np.log(np.clip((p * y).sum(axis=1), 1e-12, None)).mean())
        value += 0.5 * float((pen * w * w).sum())
        r = (p - y) / n
        gw = x.T @ r + pen * w
        ga = np.tensordot(tied, r, axes=([1, 2], [0, 1]))
        return value, np.concatenate([gw.ravel(), ga])

    bounds = [(None, None)] * (size + tied.shape[0])
    if free is not None:  # tied weights after the first ``free`` are bounded at >= 0
        bounds[size + free :] = [(0.0, None)] * (tied.shape[0] - free)
    res = minimize(
        loss,
        np.zeros(size + tied.shape[0]),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 400},
    )
    return res.x[:size].reshape(dim, k), res.x[size:]


def _design(d: Data, v: Variant) -> tuple[Array, Array]:
    cols: list[Array] = []
    pens: list[Array] = []
    if v.embedding:
        cols.append(d.emb.astype(np.float64) * 3.0)
        pens.append(np.full(384, v.emb_l2))
    if v.bias_l2 is not None:
        cols.append(np.ones((len(d.labels), 1)))
        pens.append(np.array([v.bias_l2]))
    if not cols:
        return np.zeros((len(d.labels), 0)), np.zeros(0)
    return np.hstack(cols), np.concatenate(pens)


def combiner(train_d: Data, test_d: Data, v: Variant, protos: Array) -> Array:
    k = len(train.categories())
    x, pen = _design(train_d, v)
    free = (len(SOURCES) + (0 if v.no_any or v.all_nonneg else 1)) if v.nonneg else None
    w, a = _fit(x, tied_features(train_d, v, protos), train_d.labels, k, pen, free)
    xt, _ = _design(test_d, v)
    return softmax(cast(Array, xt @ w + np.tensordot(a, tied_features(test_d, v, protos), axes=1)))


# --- the candidate ranker -----------------------------------------------------------------------


def cand_features(d: Data, protos: Array) -> list[Array]:
    """Per sentence: (candidates, features) for a conditional logit over its candidates."""
    cats = train.categories()
    out = []
    for cands, vecs in zip(d.cands, d.cand_vec, strict=True):
        rows = []
        for c, vec in zip(cands, vecs, strict=True):
            f = [float(c.is_main)]
            f += [float(c.source == s) for s in SOURCES]
            f += [float(c.role == r) for r in ROLES]
            f += [float(c.unreal is None), float(c.unreal == "intent")]
            f += [float(c.under_main), float(c.over_main), min(c.depth, 6) / 6.0]
            f += [min(c.rank, 4) / 4.0]
            sims = protos @ vec.astype(np.float64)
            j = cats.index(c.category) if c.category in cats else 0
            f += [10.0 * float(sims[j] - sims.mean())]
            rows.append(f)
        out.append(np.array(rows) if rows else np.zeros((0, 17)))
    return out


def ranker_fit(
    feats: Sequence[Array], cands: Sequence[Sequence[Cand]], labels: Sequence[int], l2: float
) -> Array:
    cats = train.categories()
    usable = [
        (f, np.array([cats.index(c.category) == y for c in cs], dtype=float))
        for f, cs, y in zip(feats, cands, labels, strict=True)
        if len(cs) and any(cats.index(c.category) == y for c in cs if c.category in cats)
    ]
    dim = usable[0][0].shape[1]

    def loss(w: Array) -> tuple[float, Array]:
        value, grad = 0.5 * l2 * float(w @ w), l2 * w
        for f, good in usable:
            s = f @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pg = float((p * good).sum())
            value -= float(np.log(max(pg, 1e-12)))
            # d/dw -log sum_{good} p = E_p[f] - E_{p|good}[f]
            grad = grad + f.T @ p - f.T @ (p * good) / max(pg, 1e-12)
        return value / len(usable), grad / len(usable)

    return cast(Array, minimize(loss, np.zeros(dim), jac=True, method="L-BFGS-B").x)


# --- scoring ------------------------------------------------------------------------------------


def scores(gold: Sequence[int], pred: Sequence[int]) -> tuple[float, float]:
    cats = train.categories()
    m = train.accuracy_and_macro_f1([cats[g] for g in gold], [cats[p] for p in pred])
    return m["category_accuracy"], m["macro_f1"]


def cv(dev: Data, predict: Callable[[Data, Data], NDArray[np.int64]]) -> NDArray[np.int64]:
    out = np.zeros(len(dev.labels), dtype=np.int64)
    for fold in train.grouped_folds([e.text for e in dev.examples], 5):
        held = set(fold)
        tr = dev.take([i for i in range(len(dev.labels)) if i not in held])
        out[fold] = predict(tr, dev.take(fold))
    return out


def combiner_predict(v: Variant, protos: Array) -> Callable[[Data, Data], NDArray[np.int64]]:
    return lambda tr, te: np.asarray(combiner(tr, te, v, protos).argmax(axis=1))


def nested_bias(
    base: Variant, protos: Array, grid: Sequence[float | None]
) -> Callable[[Data, Data], NDArray[np.int64]]:
    """The bias penalty chosen by an inner 4-fold CV on the training folds."""

    def predict(tr: Data, te: Data) -> NDArray[np.int64]:
        best: tuple[float, float, int] | None = None
        chosen: float | None = None
        for j, l2 in enumerate(grid):
            v = Variant(base.name, base.roles, base.protos, base.trigger_protos, l2, base.embedding)
            inner = np.zeros(len(tr.labels), dtype=np.int64)
            for fold in train.grouped_folds([e.text for e in tr.examples], 4, seed=15):
                held = set(fold)
                a = tr.take([i for i in range(len(tr.labels)) if i not in held])
                inner[fold] = combiner(a, tr.take(fold), v, protos).argmax(axis=1)
            acc, f1 = scores(tr.labels, inner)
            if best is None or (acc, f1, -j) > best:
                best, chosen = (acc, f1, -j), l2
        v = Variant(base.name, base.roles, base.protos, base.trigger_protos, chosen, base.embedding)
        print(f"    nested bias: chose {chosen}")
        return np.asarray(combiner(tr, te, v, protos).argmax(axis=1))

    return predict


def ranker_predict(protos: Array, l2: float) -> Callable[[Data, Data], NDArray[np.int64]]:
    cats = train.categories()
    head = Variant("shipped")

    def predict(tr: Data, te: Data) -> NDArray[np.int64]:
        w = ranker_fit(cand_features(tr, protos), tr.cands, list(tr.labels), l2)
        fallback = combiner(tr, te, head, protos).argmax(axis=1)
        out = []
        for f, cs, fb in zip(cand_features(te, protos), te.cands, fallback, strict=True):
            out.append(cats.index(cs[int(np.argmax(f @ w))].category) if len(cs) else int(fb))
        return np.array(out, dtype=np.int64)

    return predict


def error_kinds(dev: Data, pred: NDArray[np.int64]) -> None:
    cats = train.categories()
    kinds: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    for y, p, ev, cs in zip(dev.labels, pred, dev.evidence, dev.cands, strict=True):
        if y == p:
            continue
        g = cats[y]
        if ev.main_type is None:
            kinds["lexicon silent"] += 1
        elif ev.main_type == g:
            kinds["head overruled a right lexicon"] += 1
        elif g in ev.types:
            kinds["gold among other candidates"] += 1
            for c in cs:
                if c.category == g:
                    roles[f"{c.role}/{c.source}/{'real' if c.unreal is None else c.unreal}"] += 1
        else:
            kinds["gold absent"] += 1
        kinds[f"  candidates in sentence: {min(len(cs), 3)}{'+' if len(cs) >= 3 else ''}"] += 1
    many = sum(len({c.category for c in cs}) > 1 for cs in dev.cands)
    print("error kinds:", dict(kinds))
    print("roles of the gold candidate when among others:", dict(roles))
    print(f"sentences with candidates of 2+ categories: {many} of {len(dev.cands)}")
    confusions = Counter(
        (cats[y], cats[p]) for y, p in zip(dev.labels, pred, strict=True) if y != p
    )
    print("confusions (gold, predicted):", confusions.most_common(8))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/typing"))
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    dev = featurize(train.dev_examples(args.data / "plover-gsr-dev.jsonl"), args.cache)
    written = featurize(train.written_examples(), args.cache)
    protos = prototypes(args.data)
    cats = train.categories()
    lex = [cats.index(ev.main_type) if ev.main_type in cats else -1 for ev in dev.evidence]
    acc, f1 = scores(dev.labels, [max(p, 0) for p in lex])
    print(f"lexicon alone (a silent sentence counted wrong): {acc:.4f} / {f1:.4f}")
    variants: dict[str, Callable[[Data, Data], NDArray[np.int64]]] = {
        "shipped head": combiner_predict(Variant("shipped"), protos),  # the s7 head
        # what ships since s8type (data/typing_head.*): the six roles replace "any", >= 0
        "s8type head: roles replace 'any', weights >= 0, embedding L2 30": combiner_predict(
            Variant("s8", roles=ROLES, nonneg=True, no_any=True, emb_l2=30.0), protos
        ),
        "roles": combiner_predict(Variant("roles", roles=ROLE_FEATURES), protos),
        "roles: the six clause roles only": combiner_predict(Variant("r6", roles=ROLES), protos),
        "roles where 2+ categories compete": combiner_predict(
            Variant("r6c", roles=ROLES, competing=True), protos
        ),
        "roles, weights >= 0": combiner_predict(Variant("r6n", roles=ROLES, nonneg=True), protos),
        "roles where 2+ compete, weights >= 0": combiner_predict(
            Variant("r6cn", roles=ROLES, competing=True, nonneg=True), protos
        ),
        "roles replace 'any', weights >= 0": combiner_predict(
            Variant("r6an", roles=ROLES, nonneg=True, no_any=True), protos
        ),
        "s8type head, embedding L2 30": combiner_predict(
            Variant("s8", roles=ROLES, nonneg=True, no_any=True, emb_l2=30.0), protos
        ),
        "s8type head, embedding L2 100": combiner_predict(
            Variant("s8", roles=ROLES, nonneg=True, no_any=True, emb_l2=100.0), protos
        ),
        "roles beside 'any', all >= 0": combiner_predict(
            Variant("r6n0", roles=ROLES, nonneg=True, all_nonneg=True), protos
        ),
        "s8type head, a conjunct inherits its head's role": combiner_predict(
            Variant("s8i", roles=ROLES, nonneg=True, no_any=True, emb_l2=30.0, inherit=True),
            protos,
        ),
        "roles replace 'any'": combiner_predict(Variant("r6a", roles=ROLES, no_any=True), protos),
        "roles: root only": combiner_predict(Variant("r1", roles=("root",)), protos),
        "roles: root, conj, other": combiner_predict(
            Variant("r3", roles=("root", "conj", "other")), protos
        ),
        "roles: real, under, over": combiner_predict(
            Variant("r3", roles=("real", "under", "over")), protos
        ),
        "roles + main's role": combiner_predict(
            Variant("rm", roles=(*ROLES, *(f"main:{r}" for r in ROLES))), protos
        ),
        "roles + unreal kinds": combiner_predict(
            Variant("ru", roles=(*ROLES, *(f"unreal:{u}" for u in UNREAL))), protos
        ),
        "roles x source": combiner_predict(
            Variant("rs", roles=tuple(f"{r}/{s}" for r in ROLES for s in SOURCES)), protos
        ),
        "roles + ranker-style relations (under, over)": combiner_predict(
            Variant("ruo", roles=(*ROLES, "under", "over")), protos
        ),
        "protos (sentence)": combiner_predict(Variant("p", protos=True), protos),
        "protos (trigger)": combiner_predict(Variant("p", trigger_protos=True), protos),
        "protos (both)": combiner_predict(Variant("p", protos=True, trigger_protos=True), protos),
        "roles + protos (both)": combiner_predict(
            Variant("rp", roles=ROLE_FEATURES, protos=True, trigger_protos=True), protos
        ),
        "roles, no embedding": combiner_predict(
            Variant("r", roles=ROLE_FEATURES, embedding=False), protos
        ),
        "bias L2 1": combiner_predict(Variant("b", bias_l2=1.0), protos),
        "bias L2 10": combiner_predict(Variant("b", bias_l2=10.0), protos),
        "roles + bias L2 10": combiner_predict(
            Variant("rb", roles=ROLE_FEATURES, bias_l2=10.0), protos
        ),
        "bias, L2 nested (1, 3, 10, 30, none)": nested_bias(
            Variant("shipped"), protos, [1.0, 3.0, 10.0, 30.0, None]
        ),
        "ranker L2 0.1": ranker_predict(protos, 0.1),
        "ranker L2 1": ranker_predict(protos, 1.0),
    }
    for name, predict in variants.items():
        if args.only and not any(o in name for o in args.only):
            continue
        pred = cv(dev, predict)
        acc, f1 = scores(dev.labels, pred)
        wpred = predict(dev, written)
        wacc, wf1 = scores(written.labels, wpred)
        line = f"{name:40s} dev CV {acc:.4f} / {f1:.4f}   written {wacc:.4f} / {wf1:.4f}"
        print(line, flush=True)
        if args.errors and name == "shipped head":
            error_kinds(dev, pred)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
