"""Event typing (issue 14): the ONNX MiniLM embedder, the trained head, the ACLED crosswalk's
who-against-whom and weapon rules, the sub-type fallback, and the shipped weights' provenance."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from eventfuse.evaluate.acled import evaluate_acled, read_descriptions
from eventfuse.evaluate.plover import EvaluationError
from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import acled_for, detect_events, main_event
from eventfuse.extract.typing import (
    ROLES,
    FeatureLayout,
    LexiconEvidence,
    TypingError,
    TypingModel,
    evidence_subtype,
    get_subtype_prototypes,
    get_typing_model,
    lexicon_evidence,
    type_candidates,
)
from eventfuse.nlp import parse_one
from eventfuse.train import typing as train

DESCRIPTIONS = Path(__file__).parent / "data" / "acled_style_descriptions.jsonl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Sub-type accuracy on the hand-written set with the classifier (docs/typing.md) minus 0.02.
ACLED_FLOOR = 0.9109 - 0.02
AS_EXTRACTED_FLOOR = 0.7772 - 0.02  # without the fallbacks for trigger-less sentences


def _shared_or_skip() -> None:
    if not (SHARED / "plover-gsr-dev.jsonl").is_file():
        reason = f"shared data not found at {SHARED}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: this test may not be skipped)")
        pytest.skip(reason)


def test_embeddings_are_unit_vectors_and_closer_for_paraphrases() -> None:
    vectors = get_embedder().embed(
        [
            "Rebels attacked an army base near the border.",
            "Insurgents assaulted a military post close to the frontier.",
            "The central bank raised interest rates by half a point.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_embedding_keeps_input_order_across_batches() -> None:
    texts = [f"Sentence number {n} " + "word " * (n % 7) for n in range(40)]
    together = get_embedder().embed(texts, batch_size=8)
    alone = np.vstack([get_embedder().embed([t]) for t in texts[:5]])
    assert np.allclose(together[:5], alone, atol=1e-3)
    assert get_embedder().embed([]).shape == (0, 384)


def test_features_encode_the_lexicon_evidence_as_tied_indicators() -> None:
    layout = FeatureLayout(("ASSAULT", "PROTEST"), embedding_scale=2.0, use_prior=True)
    ev = [LexiconEvidence("PROTEST", "demo", "verb", ("ASSAULT", "PROTEST")), LexiconEvidence()]
    rows = layout.rows(np.ones((2, 384), dtype=np.float32))
    assert rows.shape == (2, 384) and rows[0, 0] == 2.0  # the scaled embedding, no bias
    prior_log = np.log(np.array([[0.9, 0.1], [0.5, 0.5]]))
    tied = layout.tied(ev, prior_log)
    assert tied.shape == (layout.tied_count, 2, 2) == (6, 2, 2)
    assert tied[0].tolist() == [[0, 1], [0, 0]]  # main trigger from a verb says PROTEST
    assert tied[1:4].sum() == 0  # no noun, light-verb or CAMEO trigger
    assert tied[4].tolist() == [[1, 1], [0, 0]]  # both categories among the candidates
    assert np.allclose(tied[5], prior_log)
    with pytest.raises(ValueError, match="prior"):
        layout.tied(ev)


def _examples(label: str, texts: list[str]) -> list[train.Example]:
    return [train.Example(t, label, "dev") for t in texts]


PROTESTS = [
    "Thousands of workers marched through the capital demanding higher wages.",
    "Students staged a sit-in outside the ministry.",
    "Farmers blocked roads with tractors to protest fuel prices.",
    "Hundreds rallied in the main square against the new law.",
]
ATTACKS = [
    "Gunmen killed five villagers in a night raid.",
    "Militants ambushed a convoy and shot dead two soldiers.",
    "An armed group attacked a market, wounding a dozen people.",
    "Fighters stormed a village and killed its chief.",
]


def test_trained_head_separates_categories_and_round_trips(tmp_path: Path) -> None:
    examples = _examples("PROTEST", PROTESTS[:3]) + _examples("ASSAULT", ATTACKS[:3])
    data = train.featurize(examples)
    model = train.fit(data, train.Settings(use_lexicon=False, l2=0.1), np.zeros((0, 16)))
    model = TypingModel(model.layout, model.weights, model.tied, model.prior, _meta(model))
    held_out = train.featurize(
        _examples("PROTEST", PROTESTS[3:]) + _examples("ASSAULT", ATTACKS[3:])
    )
    predicted = model.predict_embedded(held_out.embeddings, held_out.evidence)
    assert [p.category for p in predicted] == ["PROTEST", "ASSAULT"]
    path = tmp_path / "head.npz"
    model.save(path)
    loaded = TypingModel.load(path)
    assert np.allclose(loaded.weights, model.weights)
    assert loaded.layout == model.layout


def _meta(model: TypingModel) -> dict[str, object]:
    layout = model.layout
    return {
        "categories": list(layout.categories),
        "embedding_scale": layout.embedding_scale,
        "use_embedding": layout.use_embedding,
        "use_lexicon": layout.use_lexicon,
        "use_prior": layout.use_prior,
        "use_roles": layout.use_roles,
    }


def test_bad_weights_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(TypingError, match=r"broken\.npz"):
        TypingModel.load(bad)


def test_cross_validation_never_tests_on_training_sentences() -> None:
    folds = train.folds(23, 5)
    assert sorted(i for f in folds for i in f) == list(range(23))
    assert all(len(f) in (4, 5) for f in folds)
    texts = ["a", "b", "a", "c", "d", "b", "e"]
    grouped = train.grouped_folds(texts, 3)
    assert sorted(i for f in grouped for i in f) == list(range(7))
    fold_of = {i: n for n, f in enumerate(grouped) for i in f}
    assert fold_of[0] == fold_of[2] and fold_of[1] == fold_of[5]


def test_shipped_head_records_its_data_and_score() -> None:
    model = get_typing_model()
    meta = model.meta
    assert set(meta["data_sha256"]) >= {"ngec", "codebook", "cameo_patterns", "plover_dev"}
    cv = meta["score"]["classifier_5fold_cv"]
    # Cross-validated on PLOVER dev when trained (docs/typing.md): never below the lexicon's.
    lexicon = meta["score"]["lexicon_only"]
    assert cv["category_accuracy"] >= lexicon["category_accuracy"] >= 0.84
    shipped = Path(__file__).resolve().parents[1] / "src" / "eventfuse" / "data"
    assert (
        json.loads((shipped / "typing_head.json").read_text())["data_sha256"] == meta["data_sha256"]
    )


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        ("Government troops attacked rebel positions outside the town.", "Armed clash"),
        ("The regime used sarin against the suburb, killing dozens.", "Chemical weapon"),
        ("Police defused a bomb left outside the courthouse.", "Disrupted weapons use"),
        (
            "Soldiers seized a large quantity of weapons and ammunition at the border.",
            "Disrupted weapons use",
        ),
        (
            "Police opened fire on protesters in the capital, killing three.",
            "Excessive force against protesters",
        ),
        ("A suicide bomber blew himself up at a checkpoint.", "Suicide bomb"),
        ("Rebels captured two aid workers on the highway.", "Abduction/forced disappearance"),
        (
            "Government forces recaptured the district from the insurgents.",
            "Government regains territory",
        ),
        # A date is no cue ("March" is not a march); hyphenated cues match split tokens.
        ("On 12 March 2024, soldiers and rebels exchanged fire near the border.", "Armed clash"),
        ("Police broke up a sit-in by nurses outside the health ministry.",
         "Protest with intervention"),
        ("A self-detonation at the gate of the base killed four guards.", "Suicide bomb"),
        # The subject of "died" suffers the happening: no actor, so force against a protest.
        ("A protester died after police fired tear gas at close range.",
         "Excessive force against protesters"),
        # Who acts (an unorganised crowd) outranks cue words of a relative clause.
        ("A crowd of villagers beat two men accused of kidnapping a child.", "Mob violence"),
        # A participle without its own subject takes its clause's ("..., beating them").
        ("Residents chased the men through the market, beating them with sticks.",
         "Mob violence"),
        # Destruction with no protest is not a demonstration.
        ("Unidentified men set fire to a church in the town.", "Looting/property destruction"),
        ("The two sides exchanged 40 prisoners on Sunday under a deal brokered by Qatar.",
         "Agreement"),
        ("Deminers cleared 200 mines from farmland near the border.", "Disrupted weapons use"),
        ("The militia began recruiting young men to fight the army.",
         "Change to group/activity"),
        # A country's own forces are state forces; the same words with "rebel" are not.
        ("Iraqi forces took control of the district after a week of fighting.",
         "Government regains territory"),
        ("Rebel forces took control of the district after a week of fighting.",
         "Non-state actor overtakes territory"),
    ],
)
def test_crosswalk_decides_by_who_against_whom_and_means(text: str, sub_type: str) -> None:
    chosen = main_event(detect_events(parse_one(text), include_unreal=True))
    assert chosen is not None, text
    assert acled_for(chosen.type, chosen.mode, chosen.sentence, chosen.trigger)[1] == sub_type


def test_type_candidates_keeps_triggers_and_types_each_sentence() -> None:
    doc = parse_one(
        "Hundreds of teachers marched to the parliament on Monday. "
        "Later, gunmen shot dead a shopkeeper in the market."
    )
    candidates = detect_events(doc)
    typed = type_candidates(candidates)
    assert [c.trigger.i for c in typed] == [c.trigger.i for c in candidates]
    assert [c.type for c in typed] == ["PROTEST", "ASSAULT"]
    assert typed[0].acled_event_type == "Protests"
    assert type_candidates([]) == []


def test_main_candidate_keeps_its_type_when_the_head_picks_another_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import eventfuse.extract.typing as typing_module

    cats = get_typing_model().layout.categories
    layout = FeatureLayout(cats, 1.0, use_embedding=False, use_prior=False, use_roles=True)
    tied = np.zeros(layout.tied_count)
    tied[4 + ROLES.index("clause")] = 10.0  # a head that always prefers the adverbial clause
    head = TypingModel(layout, np.zeros((0, len(cats))), tied, np.zeros((0, len(cats))), {})
    monkeypatch.setattr(typing_module, "get_typing_model", lambda: head)
    candidates = detect_events(parse_one("Police arrested two men after rebels attacked a bank."))
    assert [c.type for c in candidates] == ["COERCE", "ASSAULT"]
    # the attack is a mention of its own: the arrest is not retyped as a second attack
    assert [c.type for c in type_candidates(candidates)] == ["COERCE", "ASSAULT"]
    retyped = type_candidates(candidates, keep_mentions=False)
    assert [c.type for c in retyped] == ["ASSAULT", "ASSAULT"]


def test_subtype_fallback_respects_allowed_event_types() -> None:
    vectors = get_embedder().embed(["An angry crowd beat a suspected thief to death."])
    anything = get_subtype_prototypes().nearest(vectors, [None])[0]
    restricted = get_subtype_prototypes().nearest(vectors, [frozenset({"Protests"})])[0]
    assert anything[0] == "Riots"
    assert restricted[0] == "Protests"


def test_skipping_the_embedding_never_changes_the_decision() -> None:
    model = get_typing_model()
    rng = np.random.default_rng(3)
    cats = model.layout.categories
    checked = 0
    for n in range(300):
        kinds = tuple(sorted({cats[i] for i in rng.integers(0, len(cats), 1 + n % 3)}))
        roles = tuple((k, ROLES[(n + j) % len(ROLES)]) for j, k in enumerate(kinds))
        ev = LexiconEvidence(
            kinds[0], None, ("verb", "noun", "light", "cameo")[n % 4], kinds, roles
        )
        decided = model.decided_by_lexicon(ev)
        if decided is None:
            continue
        vector = rng.normal(size=(1, 384)).astype(np.float32)
        vector /= np.linalg.norm(vector)
        assert model.predict_embedded(vector, [ev])[0].category == decided
        checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        ("The rebels handed over the camp to the army.", "Non-violent transfer of territory"),
        ("Engineers neutralised a device found near the school.", "Disrupted weapons use"),
        ("The group moved its headquarters to the hills.", "Headquarters or base established"),
    ],
)
def test_category_free_evidence_types_sentences_without_a_trigger(
    text: str, sub_type: str
) -> None:
    doc = parse_one(text)
    assert detect_events(doc, include_unreal=True) == []
    assert evidence_subtype(next(iter(doc.sents))) == ("Strategic developments", sub_type)


def test_category_free_evidence_needs_a_deciding_word() -> None:
    doc = parse_one("The minister spoke to reporters about the budget on Monday.")
    assert evidence_subtype(next(iter(doc.sents))) is None


def test_lexicon_evidence_of_a_sentence() -> None:
    doc = parse_one("Police arrested two men after rebels attacked a checkpoint.")
    ev = lexicon_evidence(detect_events(doc, include_unreal=True))
    assert (ev.main_type, ev.main_mode, ev.main_source) == ("COERCE", "arrest", "verb")
    assert ev.types == ("ASSAULT", "COERCE")
    # the arrest governs the sentence; the attack is told in an adverbial clause
    assert ev.roles == (("ASSAULT", "clause"), ("COERCE", "root"))


def test_role_features_mark_each_candidate_category_by_its_role() -> None:
    layout = FeatureLayout(("ASSAULT", "PROTEST"), 1.0, use_prior=False, use_roles=True)
    ev = LexiconEvidence(
        "PROTEST", None, "noun", ("ASSAULT", "PROTEST"), (("ASSAULT", "root"), ("PROTEST", "conj"))
    )
    tied = layout.tied([ev])
    # "some candidate says c" is split by role: 4 sources + 6 roles, no "any candidate" row
    assert tied.shape == (layout.tied_count, 1, 2) == (4 + len(ROLES), 1, 2)
    assert tied[1].tolist() == [[0, 1]]  # the main trigger, a noun, says PROTEST
    assert tied[4 + ROLES.index("root")].tolist() == [[1, 0]]
    assert tied[4 + ROLES.index("conj")].tolist() == [[0, 1]]
    assert tied[4:].sum() == 2
    # a head saved before the role features loads with the layout it was trained with
    assert FeatureLayout(("ASSAULT",), 1.0, use_prior=False).tied_count == 5


def test_shipped_role_weights_never_veto_a_candidate() -> None:
    model = get_typing_model()
    assert model.layout.use_roles
    assert (model.tied[4:] >= 0).all()
    # a lone verb trigger in a conjunct keeps its category whatever the sentence's vector
    ev = LexiconEvidence("ASSAULT", None, "verb", ("ASSAULT",), (("ASSAULT", "conj"),))
    vectors = np.random.default_rng(5).normal(size=(50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    kinds = {p.category for p in model.predict_embedded(vectors, [ev] * 50)}
    assert kinds == {"ASSAULT"}


def test_description_set_covers_every_acled_sub_type() -> None:
    records = read_descriptions(DESCRIPTIONS)
    counts = Counter(r.sub_event_type for r in records)
    assert len(counts) == 25
    assert min(counts.values()) >= 8
    assert len({r.text for r in records}) == len(records)


def test_bad_description_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "desc.jsonl"
    bad.write_text('{"text": "no gold"}\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"desc\.jsonl:1"):
        read_descriptions(bad)


def test_acled_style_sub_type_accuracy_gate() -> None:
    result = evaluate_acled(DESCRIPTIONS)
    assert result["records"] == 202
    assert result["sub_event_type_accuracy"] >= ACLED_FLOOR, result["confusions"]
    extracted = result["as_extracted"]["sub_event_type_accuracy"]
    assert result["sub_event_type_accuracy"] >= extracted >= AS_EXTRACTED_FLOOR
    assert extracted >= result["rules_only"]["sub_event_type_accuracy"]


def test_training_data_readers_on_shared_data() -> None:
    _shared_or_skip()
    ngec = train.ngec_examples(SHARED)
    assert len(ngec) == 4500 and all(e.text for e in ngec)
    cameo = train.cameo_examples(SHARED, limit=200)
    assert 150 <= len(cameo) <= 200
    assert {e.label for e in cameo} <= set(train.categories())


def test_written_training_sentences_cover_every_category() -> None:
    written = train.written_examples()
    counts = Counter(e.label for e in written)
    assert set(counts) == set(train.categories())
    assert min(counts.values()) >= 8
    descriptions = {r.text for r in read_descriptions(DESCRIPTIONS)}
    assert not descriptions & {e.text for e in written}  # never the evaluation sentences
