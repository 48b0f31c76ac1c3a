"""A small store filled with records built by hand: two outlets reporting one protest with a size
disagreement and aligned quotes, a province-level strike, and an article carrying XSS payloads.

Written for the API and page tests; every sentence here is made up for them.
"""

from __future__ import annotations

import datetime as dt

from eventfuse.records import (
    Actor,
    Article,
    Disagreement,
    Event,
    EventSource,
    Evidence,
    Mention,
    Place,
    Quantity,
    Quote,
    QuoteGroup,
    SourceValue,
    When,
)
from eventfuse.store import Store

DAY = dt.date(2024, 5, 12)
XSS = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=1</script>"

LEDGER_TEXT = (
    "Hundreds of residents marched through central Kabul on Sunday evening to protest against "
    "rising bread prices, witnesses said.\n\n"
    "\u201cWe cannot feed our children,\u201d said Farida Noori, a teacher who joined the march."
)
WIRE_TEXT = (
    "Dozens of protesters gathered in Kabul on Sunday, chanting slogans against the price "
    "rises.\n\n"
    "Farida Noori told reporters: \u201cOur children are hungry.\u201d"
)
STRIKE_TEXT = (
    "Airstrikes hit several villages in Badakhshan province overnight into Tuesday, "
    "local officials said."
)
XSS_TEXT = (
    f"Crowds gathered in Herat {XSS} to protest on Monday. "
    f"\u201c{XSS_SCRIPT} we will stay,\u201d said <b onmouseover=window.__xss=1>Ali</b>."
)

KABUL = dict(canonical="Kabul", geonames_id=1138958, country="AF", admin1="Kabul",
             lat=34.52813, lon=69.17233, precision="point")


def ev(article_id: str, text: str, needle: str, nth: int = 0) -> Evidence:
    """Evidence of the ``nth`` occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Evidence(article_id, start, start + len(needle), needle)


def sentence_of(article_id: str, text: str, needle: str) -> Evidence:
    start = text.rfind("\n", 0, text.index(needle)) + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return Evidence(article_id, start, end, text[start:end])


def articles() -> list[Article]:
    return [
        Article(id="a-ledger", text=LEDGER_TEXT, outlet="Harbor Ledger",
                published=dt.date(2024, 5, 13),
                title="Bread prices bring Kabul onto the streets", url="https://ledger.example/kabul",
                published_source="header"),
        Article(id="a-wire", text=WIRE_TEXT, outlet="Valley Wire", published=dt.date(2024, 5, 13),
                title="Kabul protest over prices", url="https://wire.example/kabul",
                published_source="html"),
        Article(id="a-strike", text=STRIKE_TEXT, outlet="Valley Wire",
                published=dt.date(2024, 5, 14),
                title="Strikes in Badakhshan"),
        Article(id="a-xss", text=XSS_TEXT, outlet=f"Outlet {XSS}", published=dt.date(2024, 5, 14),
                title=f"{XSS_SCRIPT}Breaking", url="javascript:window.__xss=1"),
    ]


def _protest_mention(article_id: str, text: str, trigger: str, size: str, low: int, high: int,
                     quote: str, cue: str) -> Mention:
    return Mention(
        id=f"m-{article_id}", article_id=article_id, type="PROTEST", mode="demo",
        acled_event_type="Protests", acled_sub_event_type="Peaceful protest",
        trigger=ev(article_id, text, trigger), sentence=sentence_of(article_id, text, trigger),
        actors=(Actor("actor", "residents" if "residents" in text else "protesters", "Civilians",
                      type="civilians", country="AFG",
                      evidence=ev(article_id, text, "residents" if "residents" in text
                                  else "protesters")),),
        location=Place("Kabul", evidence=ev(article_id, text, "Kabul"), **KABUL),  # type: ignore[arg-type]
        when=When("Sunday", DAY, DAY, "day", "publication",
                  evidence=ev(article_id, text, "Sunday")),
        quantities=(Quantity("size", low, high, size, ev(article_id, text, size)),),
        quotes=(Quote(quote, "Farida Noori", "Farida Noori", cue, True,
                      ev(article_id, text, quote), ev(article_id, text, "Farida Noori")),),
        confidence=0.8, outlet=None, published=dt.date(2024, 5, 13),
    )


def mentions() -> list[Mention]:
    strike = Mention(
        id="m-a-strike", article_id="a-strike", type="ASSAULT", mode="aerial",
        trigger=ev("a-strike", STRIKE_TEXT, "Airstrikes"),
        sentence=Evidence("a-strike", 0, len(STRIKE_TEXT), STRIKE_TEXT),
        location=Place("Badakhshan province", canonical="Badakhshan", country="AF",
                       admin1="Badakhshan", lat=36.7348, lon=70.8120, precision="admin1",
                       note="province only",
                       evidence=ev("a-strike", STRIKE_TEXT, "Badakhshan province")),
        when=When("overnight into Tuesday", dt.date(2024, 5, 13), dt.date(2024, 5, 14), "day",
                  evidence=ev("a-strike", STRIKE_TEXT, "overnight into Tuesday")),
    )
    xss = Mention(
        id="m-a-xss", article_id="a-xss", type="PROTEST", mode="demo",
        trigger=ev("a-xss", XSS_TEXT, "protest"),
        location=Place("Herat", canonical="Herat", country="AF", admin1="Herat", lat=34.348,
                       lon=62.199, precision="point", evidence=ev("a-xss", XSS_TEXT, "Herat")),
        when=When("Monday", dt.date(2024, 5, 13), dt.date(2024, 5, 13), "day",
                  evidence=ev("a-xss", XSS_TEXT, "Monday")),
        quotes=(Quote(f"{XSS_SCRIPT} we will stay", XSS, None, "said", True,
                      ev("a-xss", XSS_TEXT, f"{XSS_SCRIPT} we will stay")),),
    )
    return [
        _protest_mention("a-ledger", LEDGER_TEXT, "marched", "Hundreds", 200, 999,
                         "We cannot feed our children,", "said"),
        _protest_mention("a-wire", WIRE_TEXT, "gathered", "Dozens", 24, 99,
                         "Our children are hungry.", "told"),
        strike,
        xss,
    ]


def events(by_id: dict[str, Mention]) -> list[Event]:
    ledger, wire = by_id["m-a-ledger"], by_id["m-a-wire"]
    sizes = tuple(SourceValue(m.article_id, {"low": q.low, "high": q.high, "text": q.text},
                              q.evidence, m.id)
                  for m in (ledger, wire) for q in m.quantities)
    kabul = Event(
        id="ev-kabul-protest", type="PROTEST", mode="demo", mention_ids=(ledger.id, wire.id),
        acled_event_type="Protests", acled_sub_event_type="Peaceful protest",
        when=ledger.when, location=ledger.location, actors=ledger.actors,
        quantities=ledger.quantities + wire.quantities,
        sources=(EventSource("a-ledger", "Harbor Ledger",
                             "Bread prices bring Kabul onto the streets",
                             dt.date(2024, 5, 13), evidence=ledger.sentence),
                 EventSource("a-wire", "Valley Wire", "Kabul protest over prices",
                             dt.date(2024, 5, 13), evidence=wire.sentence)),
        independent_sources=2,
        quotes=(QuoteGroup("Farida Noori", ledger.quotes + wire.quotes),),
        fields={"size": sizes},
        disagreements=(Disagreement("size", "ranges do not overlap: hundreds [200, 999] vs "
                                    "dozens [24, 99]", sizes),),
        confidence=0.85,
    )
    strike_m = by_id["m-a-strike"]
    strike = Event(
        id="ev-badakhshan-strike", type="ASSAULT", mode="aerial", mention_ids=(strike_m.id,),
        when=strike_m.when, location=strike_m.location,
        sources=(EventSource("a-strike", "Valley Wire", "Strikes in Badakhshan",
                             dt.date(2024, 5, 14), evidence=strike_m.sentence),),
        independent_sources=1, confidence=0.6,
    )
    xss_m = by_id["m-a-xss"]
    hostile_place = Place(f"Herat {XSS}", canonical=f"<svg onload=window.__xss=1>{XSS_SCRIPT}",
                          country="AF", lat=34.348, lon=62.199, precision="point",
                          note=XSS)
    xss = Event(
        id="ev-xss", type="PROTEST", mode="demo", mention_ids=(xss_m.id,),
        when=xss_m.when, location=hostile_place,
        actors=(Actor("actor", XSS, XSS_SCRIPT),),
        sources=(EventSource("a-xss", f"Outlet {XSS}", f"{XSS_SCRIPT}Breaking",
                             dt.date(2024, 5, 14), evidence=xss_m.trigger),),
        independent_sources=1,
        quotes=(QuoteGroup(XSS, xss_m.quotes),),
        disagreements=(Disagreement(XSS, XSS_SCRIPT, (SourceValue("a-xss", XSS, xss_m.trigger),)),),
    )
    return [kabul, strike, xss]


def fill(store: Store) -> Store:
    """Put every hand-made record into ``store`` and return it."""
    arts = articles()
    store.add_articles(arts)
    ms = mentions()
    store.put_mentions([a.id for a in arts], ms)
    store.put_events(events({m.id: m for m in ms}))
    return store
