"""The fusion configuration (``data/fusion.yaml``): weights, partial scores, type groups."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import yaml

from eventfuse.date_rules import DATE_RULES, FUSION_RULES
from eventfuse.errors import ConfigError
from eventfuse.fuse.learned import PairModel, load_model
from eventfuse.fuse.roundup import RoundupWords
from eventfuse.fuse.stories import StoryConfig
from eventfuse.yamlfile import load_yaml

DATA_FILE = "fusion.yaml"

# Named rules of the consensus date: eventfuse/date_rules.py (extraction validates the same names).


@dataclass(frozen=True, slots=True)
class FusionConfig:
    weights: Mapping[str, float]
    same_article_penalty: float
    same_article_floor: float | None
    type_scores: Mapping[str, float]
    place_scores: Mapping[str, float]
    time_scores: Mapping[str, float]
    trigger_scores: Mapping[str, float]
    nearby_km: float
    far_km: float
    precision_slack_days: Mapping[str, int]
    type_groups: tuple[frozenset[str], ...]
    counter_claim_types: frozenset[str]
    unidentified_actors: frozenset[str]
    story: StoryConfig
    quote_min_overlap: float
    match_threshold: float | None = None  # a profile's own threshold; None = options'
    # Clustering's components join mentions by pairs scoring at least the threshold plus this
    # margin; average link then merges inside them down to the threshold (fuse/cluster.py).
    link_margin: float = 0.0
    # Two reports dated to two different days (day precision each) are two happenings.
    distinct_days_apart: bool = True
    # ... unless of one type and one gives no mode: no mode names no other kind.
    unknown_mode_matches: bool = False
    # Reports of one story dated this many days apart or closer are not kept apart by their
    # places (match.story_vouches); None: places always decide.
    story_day_gap: int | None = None
    # The principal events of one story's articles, dated within the window, are joined when
    # a pair of their reports scores at least the match threshold less this margin, places
    # set aside (fuse/principal.py); None: never.
    principal_margin: float | None = None
    # Days the principal events of one story may be dated apart and still join (their reports'
    # dates veto only beyond it); None: the date window.
    principal_day_gap: int | None = None
    # An undated principal event joins the one dated principal event of its story it links to;
    # with undated_follow_ups, any undated event of the story's articles does.
    principal_undated: bool = False
    undated_follow_ups: bool = False
    # Principal events of one story further apart than the gap join when two of their
    # articles share this many of the story's own names (fuse/principal.py); None: never.
    principal_names: int | None = None
    # ... and principal events of two stories whose articles share this many names only those
    # two stories hold; None: never.
    principal_names_across: int | None = None
    # In the principal join an article's reports of two types do not tell principal events
    # apart (rule principal_two_kinds).
    principal_two_kinds: bool = False
    # ... nor its two places within nearby_km on one day (rule principal_near_places).
    principal_near_places: bool = False
    # ... nor its two places of one first-level region further apart than this many km (rule
    # principal_apart_km); None: any two within far_km do.
    principal_apart_km: float | None = None
    # Two articles' reports naming different persons as doers are not kept apart in the
    # principal joins (rule principal_ignore_persons).
    principal_ignore_persons: bool = False
    # Principal events of one kind in two stories dated to one day join when an article of each
    # is at least this alike as a whole text (rule principal_same_day); None: never.
    principal_same_day: float | None = None
    # One story's principal events of two days whose reports count the dead differently stay
    # apart (rule principal_two_tolls).
    principal_two_tolls: bool = False
    # A trained pair model (data/fusion_weights.json) replacing the weighted mean; its
    # threshold becomes the profile's match threshold.
    model: PairModel | None = None
    # The DATE_RULES the consensus date applies.
    date_rules: frozenset[str] = frozenset(DATE_RULES)
    # Headlines of roundup reports (rule toll_roundup, fuse/roundup.py).
    roundup: RoundupWords = field(default_factory=RoundupWords)
    # Rule outlet_home: an outlet's home region needs this many of its other articles naming
    # settled places, this share of them naming it (fuse/outlets.py).
    outlet_min_articles: int = 2
    outlet_min_share: float = 0.6

    def without_rules(self, disabled: frozenset[str]) -> FusionConfig:
        """This configuration with the named rules in ``disabled`` switched off."""
        if not disabled & (self.date_rules | FUSION_RULES.keys()):
            return self
        off = "principal_names" in disabled
        return replace(
            self,
            date_rules=self.date_rules - disabled,
            principal_names=None if off else self.principal_names,
            principal_names_across=None if off else self.principal_names_across,
            principal_two_kinds=self.principal_two_kinds
            and "principal_two_kinds" not in disabled,
            principal_same_day=None
            if "principal_same_day" in disabled
            else self.principal_same_day,
            principal_two_tolls=self.principal_two_tolls
            and "principal_two_tolls" not in disabled,
            principal_near_places=self.principal_near_places
            and "principal_near_places" not in disabled,
            principal_apart_km=None
            if "principal_apart_km" in disabled
            else self.principal_apart_km,
            principal_ignore_persons=self.principal_ignore_persons
            and "principal_ignore_persons" not in disabled,
        )

    def group_of(self, event_type: str) -> str:
        """The name of the compatible-type group of ``event_type`` (itself when in no group)."""
        for group in self.type_groups:
            if event_type in group:
                return "+".join(sorted(group))
        return event_type

    def is_unidentified(self, canonical: str) -> bool:
        return canonical.strip().lower() in self.unidentified_actors


@functools.cache
def load_config(profile: str | None = None, with_model: bool = True) -> FusionConfig:
    """The packaged configuration, with a named profile's overrides applied. Without
    ``with_model`` a profile's trained model is not loaded (the trainer that writes it)."""
    raw = resources.files("eventfuse").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    try:
        data = load_yaml(raw)
        if profile is not None:
            data = {**data, **data["profiles"][profile]}
        if not with_model:
            data = {**data, "model": None}
        return _build(data)
    except (KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{DATA_FILE}: invalid fusion configuration ({exc})") from exc


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _build(data: Mapping[str, Any]) -> FusionConfig:
    threshold = _optional_float(data.get("match_threshold"))
    model = load_model(str(data["model"])) if data.get("model") else None
    margin = float(data.get("link_margin", 0.0))
    if model is not None:
        threshold, margin = model.threshold, model.link_margin
    return FusionConfig(
        weights={k: float(v) for k, v in data["weights"].items()},
        same_article_penalty=float(data["same_article_penalty"]),
        same_article_floor=_optional_float(data.get("same_article_floor")),
        type_scores={k: float(v) for k, v in data["type_scores"].items()},
        place_scores={k: float(v) for k, v in data["place_scores"].items()},
        time_scores={k: float(v) for k, v in data["time_scores"].items()},
        trigger_scores={k: float(v) for k, v in data["trigger_scores"].items()},
        nearby_km=float(data["place"]["nearby_km"]),
        far_km=float(data["place"]["far_km"]),
        precision_slack_days={k: int(v) for k, v in data["precision_slack_days"].items()},
        type_groups=tuple(frozenset(g) for g in data["type_groups"]),
        counter_claim_types=frozenset(data["counter_claim_types"]),
        unidentified_actors=frozenset(a.lower() for a in data["unidentified_actors"]),
        story=_story(data["story"]),
        quote_min_overlap=float(data["quotes"]["min_overlap"]),
        match_threshold=threshold,
        link_margin=margin,
        distinct_days_apart=bool(data.get("distinct_days_apart", True)),
        unknown_mode_matches=bool(data.get("unknown_mode_matches", False)),
        story_day_gap=_optional_int(data.get("story_day_gap")),
        principal_margin=_optional_float(data.get("principal_margin")),
        principal_day_gap=_optional_int(data.get("principal_day_gap")),
        principal_undated=bool(data.get("principal_undated", False)),
        undated_follow_ups=bool(data.get("undated_follow_ups", False)),
        principal_names=_optional_int(data.get("principal_names")),
        principal_names_across=_optional_int(data.get("principal_names_across")),
        principal_two_kinds=bool(data.get("principal_two_kinds", False)),
        principal_same_day=_optional_float(data.get("principal_same_day")),
        principal_two_tolls=bool(data.get("principal_two_tolls", False)),
        principal_near_places=bool(data.get("principal_near_places", False)),
        principal_apart_km=_optional_float(data.get("principal_apart_km")),
        principal_ignore_persons=bool(data.get("principal_ignore_persons", False)),
        model=model,
        date_rules=_date_rules(data.get("date_rules", list(DATE_RULES))),
        roundup=_roundup(data.get("toll_roundup") or {}),
        outlet_min_articles=int(data.get("outlet_home", {}).get("min_articles", 2)),
        outlet_min_share=float(data.get("outlet_home", {}).get("min_share", 0.6)),
    )


def _roundup(data: Mapping[str, Any]) -> RoundupWords:
    return RoundupWords(
        happenings=frozenset(str(w).lower() for w in data.get("happenings", ())),
        before=frozenset(str(w).lower() for w in data.get("before", ())),
    )


def _date_rules(names: Any) -> frozenset[str]:
    rules = frozenset(str(n) for n in names or ())
    unknown = rules - set(DATE_RULES)
    if unknown:
        raise ValueError(f"unknown date_rules {sorted(unknown)}; known: {sorted(DATE_RULES)}")
    return rules


def _story(data: Mapping[str, Any]) -> StoryConfig:
    return StoryConfig(
        min_similarity=float(data["min_similarity"]),
        name_weight=float(data["name_weight"]),
        max_gap_days=int(data["max_gap_days"]),
        follow_up_names=float(data["follow_up_names"]),
        top_terms=int(data["top_terms"]),
        max_postings=int(data["max_postings"]),
        max_component=int(data.get("max_component", 400)),
        split_step=float(data.get("split_step", 0.05)),
        min_articles=int(data.get("min_articles", 1)),
    )
