"""Acceptance: the seed articles (../shared/seeds, DESIGN §6) give the mentions each reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import needs_shared
from eventfuse.extract import extract_articles, extract_mentions
from eventfuse.ingest import read_sources
from eventfuse.nlp import parse_one
from eventfuse.records import Article, Mention
from eventfuse.settings import Options

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
KABUL, MAZAR, PANJSHIR = 1138958, 1133616, 6957555

pytestmark = needs_shared(SEEDS)


def _article(prefix: str) -> Article:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    articles = [a for a in read_sources([str(path)], Options()) if isinstance(a, Article)]
    assert len(articles) == 1
    return articles[0]


@pytest.fixture(scope="module")
def seed0() -> list[Mention]:
    article = _article("000")
    return extract_mentions(article, parse_one(article.text))


@pytest.fixture(scope="module")
def seed1() -> list[Mention]:
    article = _article("001")
    return extract_mentions(article, parse_one(article.text))


def _find(mentions: list[Mention], kind: str, geonames_id: int | None = None) -> list[Mention]:
    return [
        m
        for m in mentions
        if m.type == kind
        and (
            geonames_id is None
            or (m.location is not None and m.location.geonames_id == geonames_id)
        )
    ]


def _sizes(mention: Mention) -> set[str]:
    return {q.text.lower() for q in mention.quantities if q.kind == "size"}


@pytest.mark.parametrize("place", [KABUL, MAZAR])
def test_seed0_protests_in_kabul_and_mazar_on_monday_night(
    seed0: list[Mention], place: int
) -> None:
    protests = _find(seed0, "PROTEST", place)
    assert protests, f"no PROTEST located at {place}"
    first = protests[0]
    assert first.mode == "demo"
    assert first.when is not None and first.when.start == dt.date(2021, 9, 6)
    assert first.when.precision == "day"
    assert "hundreds" in _sizes(first)
    assert first.acled_sub_event_type == "Peaceful protest"
    assert any(a.role == "recipient" and a.canonical == "Taliban" for a in first.actors)


@pytest.mark.parametrize("place", [KABUL, MAZAR])
def test_seed1_protests_have_no_absolute_date(seed1: list[Mention], place: int) -> None:
    protests = _find(seed1, "PROTEST", place)
    assert protests
    assert "dozens" in _sizes(protests[0])
    assert protests[0].when is None or protests[0].when.start is None


def test_no_mention_of_seed1_is_dated_without_a_publication_date(seed1: list[Mention]) -> None:
    assert all(m.when is None or m.when.start is None for m in seed1)


def test_massoud_request_with_his_quotes(seed0: list[Mention], seed1: list[Mention]) -> None:
    for mentions in (seed0, seed1):
        requests = [
            m for m in _find(mentions, "REQUEST") if any("Massoud" in a.canonical for a in m.actors)
        ]
        assert requests, "no REQUEST by Massoud"
        quotes = [q for m in requests for q in m.quotes]
        assert any(q.speaker and "Massoud" in (q.speaker_canonical or q.speaker) for q in quotes)
    dated = [m for m in _find(seed0, "REQUEST") if m.when is not None]
    assert dated and dated[0].when is not None and dated[0].when.start == dt.date(2021, 9, 6)


def test_airstrikes_in_panjshir(seed0: list[Mention], seed1: list[Mention]) -> None:
    relayed = _find(seed0, "ASSAULT", PANJSHIR)
    assert any(m.mode == "aerial" and m.status == "alleged" for m in relayed)
    assert any(a.role == "actor" and a.canonical == "Pakistan" for m in relayed for a in m.actors)
    confirmed = [m for m in _find(seed1, "ASSAULT", PANJSHIR) if m.mode == "aerial"]
    assert confirmed and confirmed[0].acled_sub_event_type == "Air/drone strike"
    assert confirmed[0].attribution == "Sources in Panjshir"


def test_hameed_visit_to_kabul(seed0: list[Mention], seed1: list[Mention]) -> None:
    visit0 = _find(seed0, "CONSULT", KABUL)
    assert visit0 and visit0[0].mode == "visit"
    assert visit0[0].when is not None and visit0[0].when.start == dt.date(2021, 9, 4)
    assert any("Hameed" in a.canonical for a in visit0[0].actors)
    visit1 = _find(seed1, "CONSULT", KABUL)
    assert visit1 and (visit1[0].when is None or visit1[0].when.start is None)


def test_taliban_claim_to_have_taken_panjshir(seed0: list[Mention], seed1: list[Mention]) -> None:
    for mentions in (seed0, seed1):
        taken = [
            m
            for m in mentions
            if m.acled_sub_event_type == "Non-state actor overtakes territory"
            and m.status == "claimed"
        ]
        assert taken, "no claimed territory takeover"
        assert taken[0].acled_event_type == "Battles"
    assert any(
        m.when and m.when.start == dt.date(2021, 9, 6) for m in _find(seed0, "ASSAULT", PANJSHIR)
    )


def test_habitual_accusation_is_not_an_event(seed0: list[Mention]) -> None:
    for mention in seed0:
        assert mention.sentence is not None
        assert "has long accused" not in mention.sentence.text


def test_mention_ids_and_evidence_index_the_article() -> None:
    article = _article("000")
    mentions = extract_articles([article], Options())
    assert len({m.id for m in mentions}) == len(mentions)
    for m in mentions:
        assert m.id.startswith(f"{article.id}:")
        assert (
            m.trigger is not None
            and article.text[m.trigger.start : m.trigger.end] == m.trigger.text
        )
        assert 0.0 <= m.confidence <= 1.0
