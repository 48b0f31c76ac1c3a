"""The trained pair model: shipped weights load, features are read, vetoes still rule."""

from __future__ import annotations

import dataclasses

import pytest

from eventfuse.errors import ConfigError
from eventfuse.fuse.cluster import cluster_mentions
from eventfuse.fuse.config import load_config
from eventfuse.fuse.features import build_features
from eventfuse.fuse.learned import FEATURES, load_model, model_from_dict, model_to_dict
from eventfuse.fuse.match import PairScore, pair_score
from eventfuse.records import Evidence, Mention, Place

TEXT = {
    "a": "A powerful earthquake struck Padang on Monday, killing ten people.",
    "b": "The quake hit Padang on Monday and ten people died.",
    "c": "Voters elected a new mayor in Lima on Sunday.",
}


def mention(key: str, trigger: str, lemmas: tuple[str, ...], place: Place | None) -> Mention:
    text = TEXT[key]
    start = text.index(trigger)
    return Mention(
        id=f"m-{key}",
        article_id=key,
        type="ACTION",
        trigger=Evidence(key, start, start + len(trigger), trigger),
        sentence=Evidence(key, 0, len(text), text),
        location=place,
        trigger_lemmas=lemmas,
    )


def features(place_b: Place | None = None):  # type: ignore[no-untyped-def]
    config = load_config("ecbplus")
    mentions = [
        mention("a", "earthquake", ("earthquake",), Place("Padang")),
        mention("b", "quake", ("quake",), place_b or Place("Padang")),
        mention("c", "elected", ("elect",), Place("Lima")),
    ]
    stories = {"a": "s1", "b": "s1", "c": "s2"}
    return config, build_features(mentions, stories, config)


def test_the_ecbplus_profile_scores_with_the_shipped_model():
    config = load_config("ecbplus")
    assert config.model is not None and config.model == load_model("ecbplus")
    assert config.match_threshold == config.model.threshold
    assert len(config.model.weights) == len(FEATURES)
    assert "ECB+ train topics" in config.model.trained_on
    assert load_config().model is None  # the default profile keeps its weighted mean


def test_one_happening_scores_above_an_unrelated_one():
    config, (quake, temblor, vote) = features()
    same = pair_score(quake, temblor, config, 3).score
    other = pair_score(quake, vote, config, 3).score
    assert same > config.match_threshold > other


def test_cannot_link_rules_apply_before_the_model():
    far = Place("Lima", country="PE", lat=-12.0, lon=-77.0, precision="point", geonames_id=1)
    here = Place("Padang", country="ID", lat=-0.9, lon=100.3, precision="point", geonames_id=2)
    config, (quake, temblor, _) = features(place_b=far)
    quake = dataclasses.replace(quake, mention=dataclasses.replace(quake.mention, location=here))
    score = pair_score(quake, temblor, config, 3)
    assert score.cannot_link and score.score == 0.0


def test_a_model_file_of_other_features_is_refused():
    entry = model_to_dict(load_model("ecbplus"))
    assert model_from_dict(entry) == load_model("ecbplus")
    with pytest.raises(ValueError, match="retrain"):
        model_from_dict({**entry, "features": ["same_lemma"]})
    with pytest.raises(ConfigError, match="no valid model 'nope'"):
        load_model("nope")


def test_the_shipped_model_carries_its_link_margin_into_the_profile():
    config = load_config("ecbplus")
    assert config.model is not None and config.link_margin == config.model.link_margin
    entry = model_to_dict(config.model)
    assert model_from_dict({**entry, "link_margin": 0.25}).link_margin == 0.25
    assert load_config().link_margin == 0.0  # the default profile links at its threshold


def test_a_link_margin_keeps_two_happenings_joined_by_weak_pairs_apart():
    # Four mentions: 0-1 and 2-3 are two happenings, each pair sure; every pair across them
    # scores just above the threshold 0.8, so average link alone joins the two.
    config, (quake, temblor, vote) = features()
    four = [
        quake,
        temblor,
        vote,
        dataclasses.replace(
            vote, mention=dataclasses.replace(vote.mention, id="m-d", article_id="d")
        ),
    ]
    scores = {(0, 1): 0.95, (2, 3): 0.95, (0, 2): 0.82, (0, 3): 0.82, (1, 2): 0.82, (1, 3): 0.82}
    known = {p: PairScore(s) for p, s in scores.items()}
    plain = dataclasses.replace(config, link_margin=0.0)
    assert len(cluster_mentions(four, set(known), plain, 0.8, 3, known)) == 1
    strict = dataclasses.replace(config, link_margin=0.1)
    clusters = cluster_mentions(four, set(known), strict, 0.8, 3, known)
    assert clusters == [("m-a", "m-b"), ("m-c", "m-d")]
