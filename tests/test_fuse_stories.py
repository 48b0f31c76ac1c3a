"""Story clustering of whole articles (fuse/stories.py) and the fusion blocks (blocking.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from eventfuse.fuse.blocking import block_pairs, candidate_pairs
from eventfuse.fuse.config import load_config
from eventfuse.fuse.features import build_features
from eventfuse.fuse.stories import article_names, story_groups
from eventfuse.records import Article, Evidence, Mention, Place, When

DAY = dt.date(2016, 3, 14)

SHOOTING_ELM = (
    "Darnell Hayes, 24, was shot and killed outside a store on Elm Street in Dayton on Monday "
    "night, police said. Officers found Hayes with a gunshot wound. Detective Laura Finch asked "
    "witnesses to call the Dayton Police Department."
)
SHOOTING_ELM_2 = (
    "Police in Dayton are looking for the gunman who killed Darnell Hayes on Elm Street. Hayes, "
    "24, died at the scene, Detective Laura Finch said. Neighbours described gunfire after 10 p.m."
)
SHOOTING_OAK = (
    "A 31-year-old woman, Tamika Reed, was wounded in a shooting on Oak Avenue in Dayton on "
    "Monday, police said. Sergeant Mark Olsen said she was taken to Lakeview General Hospital."
)
FOLLOW_UP = (
    "A man was charged with murder in the death of Darnell Hayes, who was shot on Elm Street "
    "last spring. Detective Laura Finch said the arrest followed a tip."
)


def art(key: str, text: str, published: dt.date | None = DAY) -> Article:
    return Article(id=key, text=text, title=None, published=published)


def groups(*articles: Article) -> list[list[str]]:
    return story_groups(list(articles), [], load_config().story)


def test_names_are_capitalised_word_sequences():
    assert "darnell hayes" in article_names(SHOOTING_ELM)
    assert "detective laura finch" in article_names(SHOOTING_ELM)


def test_two_shootings_in_one_city_are_two_stories_and_reports_of_one_join():
    found = groups(art("a", SHOOTING_ELM), art("b", SHOOTING_ELM_2), art("c", SHOOTING_OAK))
    assert found == [["a", "b"], ["c"]]


def test_a_follow_up_months_later_joins_on_names_and_a_stranger_does_not():
    later = DAY + dt.timedelta(days=200)
    found = groups(
        art("a", SHOOTING_ELM),
        art("b", SHOOTING_ELM_2),
        art("f", FOLLOW_UP, later),
        art("c", SHOOTING_OAK),
    )
    assert ["a", "b", "f"] in found
    unrelated = dataclasses.replace(load_config().story, follow_up_names=1.01)
    apart = story_groups([art("a", SHOOTING_ELM), art("f", FOLLOW_UP, later)], [], unrelated)
    assert apart == [["a"], ["f"]]


def mention(key: str, place: Place, day: dt.date) -> Mention:
    text = f"Protesters marched in {place.name}."
    return Mention(
        id=key,
        article_id=f"art-{key}",
        type="PROTEST",
        trigger=Evidence(f"art-{key}", 0, 10, "Protesters"),
        sentence=Evidence(f"art-{key}", 0, len(text), text),
        location=place,
        when=When(day.isoformat(), day, day, "day"),
        trigger_lemmas=("protester",),
    )


OHIO = Place("Dayton", country="US", admin1="Ohio", precision="point", geonames_id=1)
TEXAS = Place("Austin", country="US", admin1="Texas", precision="point", geonames_id=2)
USA = Place("United States", country="US", precision="country", geonames_id=3)


def test_blocks_are_places_not_countries():
    mentions = [mention("o1", OHIO, DAY), mention("o2", OHIO, DAY), mention("t1", TEXAS, DAY)]
    config = load_config()
    features = build_features(mentions, {m.article_id: m.article_id for m in mentions}, config)
    assert candidate_pairs(features, 3) == {(0, 1)}  # Ohio and Texas share only a country


def test_a_block_over_the_pair_bound_pairs_nearest_in_time_and_says_so():
    mentions = [mention(f"o{k}", OHIO, DAY + dt.timedelta(days=k % 3)) for k in range(30)]
    config = load_config()
    features = build_features(mentions, {m.article_id: m.article_id for m in mentions}, config)
    unbounded = block_pairs(features, 3, None)
    assert len(unbounded.pairs) == 30 * 29 // 2 and not unbounded.capped
    bounded = block_pairs(features, 3, 60)
    assert len(bounded.pairs) <= 60 and bounded.pairs <= unbounded.pairs
    [note] = bounded.capped
    assert "fusion_max_block_pairs" in note and "30 mentions" in note
    country = [mention("u1", USA, DAY), mention("u2", USA, DAY)]
    features = build_features(country, {m.article_id: m.article_id for m in country}, config)
    assert block_pairs(features, 3, None).pairs == {(0, 1)}


def test_a_component_over_the_bound_is_split_on_stronger_links():
    articles = [art("a", SHOOTING_ELM), art("b", SHOOTING_ELM_2), art("c", SHOOTING_OAK)]
    small = dataclasses.replace(load_config().story, min_similarity=0.01, max_component=2)
    found = story_groups(articles, [], small)
    assert all(len(g) <= 2 for g in found) and ["a", "b"] in found
    assert story_groups(articles, [], dataclasses.replace(small, max_component=3)) == [
        ["a", "b", "c"]
    ]


def test_without_shared_names_only_articles_published_near_each_other_join():
    plain = SHOOTING_OAK.lower()  # the same words, no names
    near = groups(art("c", SHOOTING_OAK), art("z", plain, DAY + dt.timedelta(days=2)))
    assert near == [["c", "z"]]
    far = groups(art("c", SHOOTING_OAK), art("z", plain, DAY + dt.timedelta(days=400)))
    assert far == [["c"], ["z"]]


def test_candidate_pairs_are_every_posting_pair_once_sorted_and_skip_common_terms():
    from eventfuse.fuse.stories import _candidate_pairs

    terms = [("a", "b"), ("a",), ("b", "c"), ("a", "c"), ("c",)]
    # "a": 0,1,3  "b": 0,2  "c": 2,3,4 (three postings: over a bound of two it proposes none)
    assert _candidate_pairs(terms, 3) == [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3), (2, 4), (3, 4)]
    assert _candidate_pairs(terms, 2) == [(0, 2)]
    assert _candidate_pairs([("x",), ("y",)], 5) == []
    assert all(type(i) is int for pair in _candidate_pairs(terms, 3) for i in pair)


def test_an_article_alone_in_its_component_needs_no_similarity_block(monkeypatch):
    import eventfuse.fuse.stories as stories

    sizes: list[int] = []
    real = stories._block_similarity

    def counted(profiles, members, config):  # type: ignore[no-untyped-def]
        sizes.append(len(members))
        return real(profiles, members, config)

    monkeypatch.setattr(stories, "_block_similarity", counted)
    found = groups(art("a", SHOOTING_ELM), art("b", SHOOTING_ELM_2), art("c", SHOOTING_OAK))
    assert ["a", "b"] in found and ["c"] in found
    assert sizes and all(size > 1 for size in sizes)


def test_a_place_id_proposes_story_pairs_only_among_articles_published_near_each_other():
    from eventfuse.fuse.stories import _candidate_pairs, _profiles

    dayton = Place("Dayton", "Dayton", 4509884, "US", "Ohio", 39.759, -84.192, "point")
    config = load_config().story

    def pairs(later: dt.date, text: str) -> list[tuple[int, int]]:
        first = art("a", "Juniper Okafor saw a gunman fire at a bakery van before dawn.")
        second = art("b", text, later)
        mentions = [
            Mention(id=f"{a.id}-1", article_id=a.id, type="ASSAULT", location=dayton)
            for a in (first, second)
        ]
        profiles = _profiles([first, second], mentions, config, frozenset())
        return _candidate_pairs(profiles.terms, config.max_postings)

    unrelated = "the choir sang at the harbour festival under a clear sky."
    # Every article of a city holds its id: across the archive it would pair them all.
    assert pairs(DAY + dt.timedelta(days=400), unrelated) == []
    assert pairs(DAY + dt.timedelta(days=2), unrelated) == [(0, 1)]
    # A person's name still finds a follow-up a year later.
    named = "at the harbour festival Juniper Okafor sang under a clear sky."
    assert pairs(DAY + dt.timedelta(days=400), named) == [(0, 1)]


def _reference_tfidf(bags, top):  # type: ignore[no-untyped-def]
    """The TF-IDF rows term by term, as stories._tfidf computed them before it was vectorized."""
    import math
    from collections import Counter

    from scipy.sparse import csr_matrix

    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    vocabulary = {w: k for k, w in enumerate(sorted(df))}
    rows, cols, values, heaviest = [], [], [], []
    for r, bag in enumerate(bags):
        weights = {w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1)
                   for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        for w, v in weights.items():
            rows.append(r)
            cols.append(vocabulary[w])
            values.append(v / norm)
        heaviest.append(sorted(weights, key=lambda w: (-weights[w], w))[:top])
    return csr_matrix((values, (rows, cols)), shape=(n, max(len(vocabulary), 1))), heaviest


def test_tfidf_rows_are_bit_for_bit_those_of_a_term_by_term_loop() -> None:
    # Fusion's events must not move with the vectorized rows: the same floats, in the same
    # order, and the same heaviest terms (ties by term) as the loop gives.
    import random
    from collections import Counter

    from eventfuse.fuse.stories import _tfidf

    rnd = random.Random(7)
    words = [f"w{k}" for k in range(60)]
    cases = [[], [Counter()], [Counter(), Counter({"x": 3})]]
    cases += [[Counter({w: rnd.randint(1, 9) for w in rnd.sample(words, rnd.randint(0, 25))})
               for _ in range(rnd.randint(1, 30))] for _ in range(40)]
    for bags in cases:
        for top in (0, 1, 4, 40):
            matrix, heaviest = _tfidf(bags, top)
            expected, expected_heaviest = _reference_tfidf(bags, top)
            assert heaviest == expected_heaviest
            assert matrix.shape == expected.shape
            assert matrix.indptr.tolist() == expected.indptr.tolist()
            assert matrix.indices.tolist() == expected.indices.tolist()
            assert matrix.data.tobytes() == expected.data.tobytes()


def test_candidate_pairs_are_the_pairs_of_every_short_posting_list() -> None:
    import itertools
    import random

    from eventfuse.fuse.stories import _candidate_pairs

    rnd = random.Random(3)
    for _ in range(100):
        terms = [tuple(rnd.sample("abcdefghij", rnd.randint(0, 5)))
                 for _ in range(rnd.randint(0, 12))]
        limit = rnd.randint(1, 6)
        postings: dict[str, list[int]] = {}
        for i, filed in enumerate(terms):
            for term in filed:
                postings.setdefault(term, []).append(i)
        expected = sorted({pair for members in postings.values() if len(members) <= limit
                           for pair in itertools.combinations(members, 2)})
        assert _candidate_pairs(terms, limit) == expected


def test_shared_article_texts_give_the_story_groups_computed_alone() -> None:
    from eventfuse.fuse.stories import article_texts, text_similarity

    articles = [art("a", SHOOTING_ELM), art("b", SHOOTING_ELM_2), art("c", SHOOTING_OAK)]
    config = load_config().story
    texts = article_texts(articles, config.top_terms)
    assert story_groups(articles, [], config, texts=texts) == story_groups(articles, [], config)
    shared, alone = text_similarity(articles, texts), text_similarity(articles)
    assert shared("a", "b") == alone("a", "b") > shared("a", "c") == alone("a", "c")
    # Rows of other articles are not taken for these.
    other = article_texts([art("a", SHOOTING_OAK), art("b", FOLLOW_UP), art("c", SHOOTING_ELM)])
    assert text_similarity(articles, other)("a", "b") == alone("a", "b")


def test_a_story_of_too_few_articles_joins_the_one_it_is_most_alike():
    unrelated = "Quarterly earnings rose at the bakery cooperative, its treasurer wrote."
    articles = [
        art("a", SHOOTING_ELM),
        art("b", SHOOTING_ELM_2),
        art("f", FOLLOW_UP),
        art("c", SHOOTING_OAK),
        art("z", unrelated),
    ]
    config = load_config().story
    assert config.min_articles == 1  # the default profile keeps every story
    assert story_groups(articles, [], config) == [["a", "b", "f"], ["c"], ["z"]]
    three = dataclasses.replace(config, min_articles=3)
    # The Oak Avenue report shares Dayton and the police with the Elm Street story; the bakery
    # shares no word with any story and stays alone.
    assert story_groups(articles, [], three) == [["a", "b", "c", "f"], ["z"]]
    # No story is large enough: nothing to join.
    assert story_groups(articles[3:], [], three) == [["c"], ["z"]]
