"""An outlet's home region learned from the run (fuse/outlets.py, rule outlet_home)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventfuse.fuse.outlets import article_homes, home_readings, outlet_key
from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.records import Article, Evidence, Mention, Place


def _article(aid: str, url: str | None, outlet: str | None = None) -> Article:
    return Article(id=aid, text="...", url=url, outlet=outlet)


def _at(mid: str, aid: str, place: Place) -> Mention:
    return Mention(id=mid, article_id=aid, type="ASSAULT", location=place)


MACON = Place("Macon", "Macon", 4207400, "US", "Georgia", 32.84, -83.63, "point")
SAVANNAH = Place("Savannah", "Savannah", 4221552, "US", "Georgia", 32.08, -81.10, "point")
DAYTON = Place("Dayton", "Dayton", 4509884, "US", "Ohio", 39.76, -84.19, "point")
ALBANY_NY = Place("Albany", "Albany", 5106834, "US", "New York", 42.65, -73.76, "point",
                  note=f"{AMBIGUOUS_NOTE} Albany (Georgia, US)",
                  evidence=Evidence("d", 18, 24, "Albany"))


def test_outlet_is_its_name_else_its_host_inside_an_archive_address() -> None:
    assert outlet_key(_article("a", "https://www.example-news.com/local/story")) == (
        "example-news.com")
    archived = "http://web.archive.org/web/20160101000000/http://www.Example-News.com:80/x"
    assert outlet_key(_article("a", archived)) == "example-news.com"
    assert outlet_key(_article("a", "https://example.com/x", outlet="The  Daily Planet")) == (
        "the daily planet")
    assert outlet_key(_article("a", None)) is None


def test_home_is_the_region_the_outlets_other_articles_name() -> None:
    articles = {a: _article(a, f"https://station.example/{a}") for a in "abcd"}
    articles["e"] = _article("e", "https://other.example/e")
    mentions = [_at("m-a", "a", MACON), _at("m-b", "b", SAVANNAH), _at("m-c", "c", MACON),
                _at("m-d", "d", ALBANY_NY), _at("m-e", "e", DAYTON)]
    homes = article_homes(mentions, articles, min_articles=2, min_share=0.6)
    assert homes["d"] == ("US", "Georgia")  # its ambiguous Albany does not vote
    assert homes["a"] == ("US", "Georgia")  # from b and c, not from its own Macon
    assert "e" not in homes  # one article of its outlet: nothing to learn from
    # a split outlet has no home
    split = [_at("m-a", "a", MACON), _at("m-b", "b", DAYTON), mentions[3]]
    assert "d" not in article_homes(split, articles, 2, 0.6)


@pytest.mark.slow
def test_ambiguous_reading_is_read_again_in_the_outlets_home() -> None:
    mentions = [_at("m-d", "d", ALBANY_NY)]
    read = home_readings(mentions, {"d": ("US", "Georgia")})
    assert read["m-d"].admin1 == "Georgia" and read["m-d"].name == "Albany"
    # a settled reading is never read again
    settled = [_at("m-d", "d", SAVANNAH)]
    assert home_readings(settled, {"d": ("US", "Ohio")}) == {}
    # the home has no town of that name: kept
    assert home_readings(mentions, {"d": ("US", "Hawaii")}) == {}


def test_a_region_the_user_names_for_an_outlet_comes_first(tmp_path: Path) -> None:
    from eventfuse.errors import ConfigError
    from eventfuse.fuse.outlets import read_outlet_regions

    path = tmp_path / "outlets.yaml"
    path.write_text("station.example: Ohio, US\nThe Daily Planet: New York, us\n",
                    encoding="utf-8")
    named = read_outlet_regions(str(path))
    assert named == {"station.example": ("US", "Ohio"),
                     "the daily planet": ("US", "New York")}
    articles = {a: _article(a, f"https://station.example/{a}") for a in "abc"}
    mentions = [_at("m-a", "a", MACON), _at("m-b", "b", SAVANNAH), _at("m-c", "c", ALBANY_NY)]
    assert article_homes(mentions, articles, 2, 0.6)["c"] == ("US", "Georgia")
    assert article_homes(mentions, articles, 2, 0.6, named)["c"] == ("US", "Ohio")
    path.write_text("station.example: Ohio\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"station\.example"):
        read_outlet_regions(str(path))
