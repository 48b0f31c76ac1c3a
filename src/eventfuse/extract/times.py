"""Time expressions: find them in a parsed article and resolve them to dated ranges.

Relative expressions ("Monday night", "yesterday", "until the early hours of Tuesday") are first
turned into a *relative* code, then resolved against the publication date. When that date is
unknown the code is kept in ``When.relative`` (``start``/``end`` None) so fusion can anchor it later
with :func:`anchor_when`. Relative codes:

- ``offset:N``          the anchor day plus N days ("yesterday" is ``offset:-1``)
- ``weekday:Monday``    the latest Monday on or before the anchor. A weekday equal to the
                        publication's weekday ("on Tuesday" in a Tuesday paper) is the publication
                        day itself: news names the current day by its weekday, while a week-old
                        happening is written "last Tuesday" (dateparser picks the week before).
- ``lastweekday:Monday`` the latest Monday strictly before the anchor ("last Monday")
- ``nextweekday:Monday`` the first Monday after the anchor ("next Monday": announced plans)
- ``week:N`` / ``weekpast:0`` / ``weekend:N``  week-precision ranges (see data/times.yaml)
- ``monthoffset:N`` / ``yearoffset:N``        the whole month / year N from the anchor's
- ``month:8`` / ``month:8:late``              August (its late part) of the latest year not after
                                              the anchor
- ``monthday:9-6``     6 September of the year that puts it nearest the anchor
- ``sameday``          the day of the previous dated expression in the text ("earlier in the day")
- ``until:<code>``     a range ending on <code>'s day, starting the day before (or on the
                       event's other date in the same sentence, see :func:`find_times`)

Explicit dates ("September 6, 2021", "2021-09-06") are parsed by dateparser (anchor "text").
Future-pointing readings are not chosen: news reports what happened (PREFER_DATES_FROM="past").
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from dateparser.date import DateDataParser
from spacy.tokens import Doc, Span, Token

from eventfuse.extract.wordscan import WordScan, word_scan
from eventfuse.nlp import doc_text, entities, expanded_span, sentence_of
from eventfuse.records import Anchor, Evidence, TimePrecision, When
from eventfuse.yamlfile import load_yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                        "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
# Words before a weekday and the relative code they give it.
_WEEKDAY_MODIFIERS = {
    "": "weekday",
    "last": "lastweekday",
    "this past": "lastweekday",
    "past": "lastweekday",
    "next": "nextweekday",
    "this coming": "nextweekday",
    "coming": "nextweekday",
}
_VERB_LIKE_MONTHS = frozenset({"may", "march"})
_EDGE_PUNCTUATION = " \t\n\r,.;:!?()[]\"'“”‘’—–-"
_PREPOSITIONS = ("on ", "in ", "during ", "since ", "by ", "at ", "from ")


@dataclass(frozen=True, slots=True)
class TimeLexicon:
    """The phrase tables of data/times.yaml."""

    offsets: Mapping[str, int]
    day_parts: tuple[str, ...]
    day_lead_ins: tuple[str, ...]
    until_words: tuple[str, ...]
    weeks: Mapping[str, str]
    periods: Mapping[str, str]
    month_parts: Mapping[str, tuple[int, int]]
    same_day: frozenset[str]
    not_dates: frozenset[str]
    page_stamps: tuple[str, ...]
    statement_verbs: frozenset[str]


@functools.cache
def get_lexicon() -> TimeLexicon:
    raw: dict[str, Any] = load_yaml((DATA_DIR / "times.yaml").read_text(encoding="utf-8"))
    by_length = functools.partial(sorted, key=len, reverse=True)
    return TimeLexicon(
        offsets={str(k): int(v) for k, v in raw["offsets"].items()},
        day_parts=tuple(raw["day_parts"]),
        day_lead_ins=tuple(by_length(raw["day_lead_ins"])),
        until_words=tuple(raw["until_words"]),
        weeks=dict(raw["weeks"]),
        periods=dict(raw["periods"]),
        month_parts={str(k): (int(v[0]), int(v[1])) for k, v in raw["month_parts"].items()},
        same_day=frozenset(raw["same_day"]),
        not_dates=frozenset(raw["not_dates"]),
        page_stamps=tuple(raw.get("page_stamps", ())),
        statement_verbs=frozenset(raw.get("statement_verbs", ())),
    )


# --- resolving one expression ------------------------------------------------------------------


def resolve_time(text: str, published: dt.date | None) -> When:
    """The dated range ``text`` names, read against ``published``; never raises.

    Unknown or non-date text gives precision "unknown" with no dates; a relative expression with no
    publication date keeps its code in ``relative`` for :func:`anchor_when`.
    """
    norm = _normalize(text)
    # Bare "may"/"march" are verbs far more often than months ("in May" is read as a month).
    if not norm or norm in get_lexicon().not_dates or norm in _VERB_LIKE_MONTHS:
        return When(text=text)
    relative = relative_code(norm)
    if relative is not None:
        code, precision = relative
        kept = When(text=text, precision=precision, relative=code)
        if published is None:
            return kept
        anchor: Anchor = "text" if code.startswith(("month:", "monthday:")) else "publication"
        return anchor_when(kept, published, anchor=anchor)
    return _explicit(text, norm, published)


def anchor_when(when: When, published: dt.date, anchor: Anchor = "fusion") -> When:
    """Resolve a kept relative expression against ``published``; other Whens come back unchanged."""
    if when.relative is None or when.start is not None:
        return when
    dates = resolve_relative(when.relative, published)
    if dates is None:
        return when
    return dataclasses.replace(when, start=dates[0], end=dates[1], anchor=anchor)


def resolve_relative(code: str, anchor: dt.date) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a relative code (module docstring) against ``anchor``; None if malformed."""
    kind, _, value = code.partition(":")
    try:
        if kind == "until":
            inner = resolve_relative(value, anchor)
            return None if inner is None else (inner[1] - dt.timedelta(days=1), inner[1])
        return _RESOLVERS[kind](value, anchor)
    except (KeyError, ValueError, OverflowError):
        return None


def _offset(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    day = anchor + dt.timedelta(days=int(value))
    return day, day


def _weekday(value: str, anchor: dt.date, strictly_before: bool = False) -> tuple[dt.date, dt.date]:
    back = (anchor.weekday() - WEEKDAYS.index(value.lower())) % 7
    if strictly_before and back == 0:
        back = 7
    day = anchor - dt.timedelta(days=back)
    return day, day


def _last_weekday(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    return _weekday(value, anchor, strictly_before=True)


def _next_weekday(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    ahead = (WEEKDAYS.index(value.lower()) - anchor.weekday()) % 7 or 7
    day = anchor + dt.timedelta(days=ahead)
    return day, day


def _week(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=int(value))
    # The current week runs only up to the anchor: nothing reported has happened after it.
    end = anchor if int(value) == 0 else monday + dt.timedelta(days=6)
    return monday, end


def _week_past(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    monday, _ = _week(value, anchor)
    return monday, max(monday, anchor - dt.timedelta(days=1))


def _weekend(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    saturday = anchor - dt.timedelta(days=(anchor.weekday() - 5) % 7)
    saturday += dt.timedelta(weeks=int(value))
    return _up_to_anchor((saturday, saturday + dt.timedelta(days=1)), anchor)


def _month_range(year: int, month: int, first: int = 1, last: int = 31) -> tuple[dt.date, dt.date]:
    days = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(first, days)), dt.date(year, month, min(last, days))


def _month_offset(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    months = anchor.year * 12 + anchor.month - 1 + int(value)
    return _up_to_anchor(_month_range(months // 12, months % 12 + 1), anchor)


def _year_offset(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    year = anchor.year + int(value)
    return _up_to_anchor((dt.date(year, 1, 1), dt.date(year, 12, 31)), anchor)


def _month(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    month_text, _, part = value.partition(":")
    month = int(month_text)
    first, last = get_lexicon().month_parts.get(part, (1, 31))
    start, end = _month_range(anchor.year, month, first, last)
    if start > anchor:  # "late August" in an August 1st paper is last year's
        start, end = _month_range(anchor.year - 1, month, first, last)
    return start, min(end, anchor)


def _up_to_anchor(dates: tuple[dt.date, dt.date], anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The current month/year runs only up to the anchor: nothing reported happened after it."""
    return dates[0], max(dates[0], min(dates[1], anchor))


def _month_day(value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    month, day = (int(part) for part in value.split("-"))
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    nearest = min(candidates, key=lambda d: abs((d - anchor).days))
    return nearest, nearest


# A month-day without a year read this many days after publication or fewer is an announced
# plan ("a hearing set for March 20"); further ahead it is the past (gva-dev mentions: 16 of 37
# read more than a month ahead fell a year after their incident's day, none of 13 nearer ones).
PLAN_DAYS = 31


def past_month_day(when: When, published: dt.date) -> When:
    """``when`` unless it is a month-day without a year read more than PLAN_DAYS after
    ``published``; then the same month and day on or before publication: reports tell what has
    happened, and the nearest reading put a winter's happening of a summer report ahead."""
    if (when.relative is None or not when.relative.startswith("monthday:")
            or when.start is None or (when.start - published).days <= PLAN_DAYS):
        return when
    month, day = (int(part) for part in when.relative.partition(":")[2].split("-"))
    for year in range(published.year, published.year - 5, -1):
        try:
            earlier = dt.date(year, month, day)
        except ValueError:
            continue  # 29 February
        if earlier <= published:
            return dataclasses.replace(when, start=earlier, end=earlier)
    return when


def _same_day(_value: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    return anchor, anchor


_RESOLVERS: dict[str, Callable[[str, dt.date], tuple[dt.date, dt.date]]] = {
    "offset": _offset,
    "weekday": _weekday,
    "lastweekday": _last_weekday,
    "nextweekday": _next_weekday,
    "week": _week,
    "weekpast": _week_past,
    "weekend": _weekend,
    "monthoffset": _month_offset,
    "yearoffset": _year_offset,
    "month": _month,
    "monthday": _month_day,
    "sameday": _same_day,
}


# --- from words to relative codes -----------------------------------------------------------


def relative_code(norm: str) -> tuple[str, TimePrecision] | None:
    """The relative code and precision of a normalized (lower-case) expression, if it is one."""
    lex = get_lexicon()
    for word in lex.until_words:
        if norm.startswith(word + " "):
            inner = relative_code(norm[len(word) + 1 :])
            return (f"until:{inner[0]}", "day") if inner and inner[1] == "day" else None
    if norm in lex.same_day:
        return "sameday", "day"
    norm = _strip_prefixes(norm, _PREPOSITIONS)
    if norm in lex.same_day:
        return "sameday", "day"
    if norm in lex.weeks:
        return lex.weeks[norm], "week"
    if norm in lex.periods:
        code = lex.periods[norm]
        return code, ("month" if code.startswith("month") else "year")
    return _day_code(norm) or _ago_code(norm) or _month_code(norm)


def _day_code(norm: str) -> tuple[str, TimePrecision] | None:
    lex = get_lexicon()
    core = _strip_day_part(_strip_prefixes(norm, tuple(w + " " for w in lex.day_lead_ins)))
    for candidate in (norm, core):
        if candidate in lex.offsets:
            return f"offset:{lex.offsets[candidate]}", "day"
    modifiers = "|".join(m for m in _WEEKDAY_MODIFIERS if m)
    match = re.fullmatch(rf"(?:({modifiers}) )?({'|'.join(WEEKDAYS)})", core)
    if match is None:
        return None
    kind = _WEEKDAY_MODIFIERS[match.group(1) or ""]
    return f"{kind}:{match.group(2).capitalize()}", "day"


def _ago_code(norm: str) -> tuple[str, TimePrecision] | None:
    match = re.fullmatch(r"(\d{1,3}|[a-z]+) (day|week|month|year)s? ago", norm)
    if match is None:
        return None
    count = int(match.group(1)) if match.group(1).isdigit() else _NUMBER_WORDS.get(match.group(1))
    if count is None:
        return None
    unit = match.group(2)
    if unit == "day":
        return f"offset:{-count}", "day"
    if unit == "week":
        return f"week:{-count}", "week"  # the calendar week it fell in
    return f"{unit}offset:{-count}", cast(TimePrecision, unit)


def _month_code(norm: str) -> tuple[str, TimePrecision] | None:
    parts = "|".join(re.escape(p) for p in get_lexicon().month_parts)
    match = re.fullmatch(rf"(?:({parts})[ -]?)?([a-z]+)\.?", norm)
    if match and _month_number(match.group(2)) and (match.group(1) or match.group(2) in MONTHS):
        part = f":{match.group(1)}" if match.group(1) else ""
        return f"month:{_month_number(match.group(2))}{part}", "month"
    day_month = re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?", norm)
    month_day = re.fullmatch(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?", norm)
    if day_month and _month_number(day_month.group(2)):
        month, day = _month_number(day_month.group(2)), int(day_month.group(1))
    elif month_day and _month_number(month_day.group(1)):
        month, day = _month_number(month_day.group(1)), int(month_day.group(2))
    else:
        return None
    return (f"monthday:{month}-{day}", "day") if 1 <= day <= 31 else None


def _month_number(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ABBREVIATIONS.get(word)


# --- explicit dates ------------------------------------------------------------------------

_YEAR = r"(?:1[89]|20)\d{2}"
_MONTH_WORD = rf"(?:{'|'.join(MONTHS)}|{'|'.join(MONTH_ABBREVIATIONS)})\.?"
_DATE_HINT = re.compile(
    rf"\b{_MONTH_WORD}|\b{_YEAR}\b|\b\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}\b|\b(?:{'|'.join(WEEKDAYS)})\b"
)


def _explicit(text: str, norm: str, published: dt.date | None) -> When:
    """Dates written out in full, with a year ("September 6, 2021", "August 2021", "in 2020")."""
    norm = _strip_prefixes(norm, _PREPOSITIONS)
    if re.fullmatch(_YEAR, norm):
        year = int(norm)
        return When(text, dt.date(year, 1, 1), dt.date(year, 12, 31), "year", anchor="text")
    parts = "|".join(re.escape(p) for p in get_lexicon().month_parts)
    month_year = re.fullmatch(rf"(?:({parts})[ -]?)?([a-z]+)\.?,? ({_YEAR})", norm)
    if month_year and _month_number(month_year.group(2)):
        first, last = get_lexicon().month_parts.get(month_year.group(1) or "", (1, 31))
        start, end = _month_range(
            int(month_year.group(3)), _month_number(month_year.group(2)) or 1, first, last
        )
        return When(text, start, end, "month", anchor="text")
    day = _full_date(norm)
    if day is not None:
        return When(text, day, day, "day", anchor="text")
    if not _DATE_HINT.search(norm):
        return When(text=text)
    has_year = re.search(rf"\b{_YEAR}\b", norm) is not None
    if published is None and not has_year:
        return When(text=text)
    return _dateparser_when(text, norm, published, anchor="text" if has_year else "publication")


def _full_date(norm: str) -> dt.date | None:
    """The common written-out forms, read directly (dateparser is the slow fallback)."""
    weekday = rf"(?:(?:{'|'.join(WEEKDAYS)}),? )?"
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", norm)
    month_first = re.fullmatch(
        rf"{weekday}([a-z]+)\.? (\d{{1,2}})(?:st|nd|rd|th)?,? ({_YEAR})", norm
    )
    day_first = re.fullmatch(
        rf"{weekday}(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?,? ({_YEAR})", norm
    )
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if month_first and (month := _month_number(month_first.group(1))):
            return dt.date(int(month_first.group(3)), month, int(month_first.group(2)))
        if day_first and (month := _month_number(day_first.group(2))):
            return dt.date(int(day_first.group(3)), month, int(day_first.group(1)))
    except ValueError:
        return None  # "February 30, 2021"
    return None


@functools.lru_cache(maxsize=4096)
def _dateparser_when(
    text: str, norm: str, published: dt.date | None, anchor: Anchor
) -> When:
    # cached: a pure reading of the same words on the same reference date (wire copies, a
    # date repeated in an article), and dateparser costs milliseconds per call
    base = dt.datetime.combine(published or dt.date(2000, 1, 1), dt.time())
    try:
        data = _date_parser(base).get_date_data(norm)
    except Exception:  # dateparser raises assorted errors on odd input; it is not a date then
        return When(text=text)
    if data.date_obj is None:
        return When(text=text)
    day = data.date_obj.date()
    if published is not None and anchor == "publication" and day > published:
        return When(text=text)  # a future reading of an undated expression is not a report
    period = data.period or "day"
    if period == "month":
        start, end = _month_range(day.year, day.month)
        return When(text, start, end, "month", anchor=anchor)
    if period == "year":
        return When(text, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year", anchor=anchor)
    precision: TimePrecision = "week" if period == "week" else "day"
    return When(text, day, day, precision, anchor=anchor)


def warm() -> None:
    """Build dateparser's tables (time-zone patterns, locale data) now: its first call costs
    about a second, once per process (worker processes forked after this inherit them)."""
    _date_parser(dt.datetime(2000, 1, 1)).get_date_data("march 3 2001")


@functools.lru_cache(maxsize=64)
def _date_parser(base: dt.datetime) -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "DATE_ORDER": "MDY"},
    )


# --- normalizing ------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    text = text.replace("’", "'").lower()
    text = re.sub(r"\s+", " ", text).strip(_EDGE_PUNCTUATION)
    return re.sub(r"'s$", "", text)


def _strip_prefixes(text: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


def _strip_day_part(text: str) -> str:
    for part in get_lexicon().day_parts:
        if text.endswith(" " + part):
            return text[: -len(part) - 1]
    return text


# --- finding expressions in a document ---------------------------------------------------


@functools.cache
def _finder() -> WordScan:
    """One pattern for the expressions this module reads; longer alternatives come first."""
    lex = get_lexicon()

    def alternatives(words: Sequence[str]) -> str:
        return "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
        )

    weekday = rf"(?:{'|'.join(WEEKDAYS)})\b"
    day_part = rf"(?:\s+(?:{alternatives(lex.day_parts)})\b)?"
    lead = rf"(?:(?:{alternatives(lex.day_lead_ins)})\s+)?"
    modifier = rf"(?:(?:{alternatives([m for m in _WEEKDAY_MODIFIERS if m])})\s+)?"
    weekday_expr = rf"{lead}{modifier}{weekday}(?:['’]s)?{day_part}"
    offset_expr = rf"(?:{alternatives(list(lex.offsets))})\b{day_part}"
    month_full = rf"(?:{'|'.join(MONTHS)})\b"
    day_num = r"\d{1,2}(?:st|nd|rd|th)?\b"
    explicit = "|".join(
        (
            r"\d{4}-\d{2}-\d{2}\b",
            rf"(?:{weekday},?\s+)?{_MONTH_WORD}\s+{day_num}(?:,?\s+{_YEAR}\b)?",
            rf"(?:{weekday},?\s+)?(?:the\s+)?{day_num}\s+(?:of\s+)?{_MONTH_WORD}(?:,?\s+{_YEAR}\b)?",
            rf"(?:{alternatives(list(lex.month_parts))})[\s-]*{month_full}(?:\s+{_YEAR}\b)?",
            rf"{month_full}\s+{_YEAR}\b",
            # "in March 2015" whole: "in March" alone would be this year's March
            rf"(?:in|during|since)\s+(?:{month_full}(?:,?\s+{_YEAR}\b)?|{_YEAR}\b)",
        )
    )
    phrases = alternatives([*lex.weeks, *lex.periods, *lex.same_day])
    count = rf"(?:\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})"
    ago = rf"{count}\s+(?:day|week|month|year)s?\s+ago\b"
    until = rf"(?:{alternatives(lex.until_words)})\s+(?:{weekday_expr}|{offset_expr}|{explicit})"
    body = "|".join((until, explicit, phrases, ago, offset_expr, weekday_expr))
    lookbehind = r"(?<![\w-])"
    pattern = re.compile(rf"{lookbehind}(?:{body})", re.IGNORECASE)
    # how each alternative opens (a digit aside): the phrases and month parts may run on
    # into a word character ("mid" + "march"), the rest are followed by a space or a boundary
    opening = [*lex.until_words, *WEEKDAYS, *MONTHS, *MONTH_ABBREVIATIONS, "the", "in",
               "during", "since", *_NUMBER_WORDS, *lex.offsets, *lex.day_lead_ins,
               *(m for m in _WEEKDAY_MODIFIERS if m)]
    open_ended = [*lex.weeks, *lex.periods, *lex.same_day, *lex.month_parts]
    return word_scan(pattern, lookbehind, opening, open_ended)


def find_times(doc: Doc, article_id: str, published: dt.date | None) -> list[When]:
    """Every dated (or datable) time expression in ``doc``, in text order, with evidence."""
    text = doc_text(doc)  # spaCy builds Doc.text from the tokens: cached per Doc
    found: list[When] = []
    for start, end in _candidate_spans(doc, text):
        when = resolve_time(text[start:end], published)
        if when.start is None and when.relative is None:
            continue
        evidence = Evidence(article_id, start, end, text[start:end])
        found.append(dataclasses.replace(when, evidence=evidence))
    return _resolve_context(doc, found)


@functools.cache
def _stamp_pattern() -> re.Pattern[str]:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+")
                     for w in sorted(get_lexicon().page_stamps, key=len, reverse=True))
    # the stamp word, then at most a colon, "on" or "at" before the time
    return re.compile(rf"\b(?:{words})\s*:?\s*(?:(?:on|at)\s+)?$", re.IGNORECASE)


def page_stamp(text: str, when: When) -> bool:
    """``when`` stamps the page ("Posted: Tuesday, March 3, 2020", "Updated: ...", "(Published
    Friday, ...)"): it tells when the page was written or changed, not when anything happened."""
    if when.evidence is None or not get_lexicon().page_stamps:
        return False
    before = text[max(0, when.evidence.start - 30) : when.evidence.start]
    return _stamp_pattern().search(before) is not None


def statement_time(doc: Doc, when: When) -> bool:
    """``when`` is the time of a verb of saying ("..., police said Thursday", "police on
    Tuesday said", "announced Monday"): it dates the statement, which local news makes the day
    it writes, often days after the happening it reports."""
    verbs = get_lexicon().statement_verbs
    if when.evidence is None or not verbs:
        return False
    span = expanded_span(doc, when.evidence.start, when.evidence.end)
    if span is None or len(span) == 0:
        return False
    root = span.root
    if root.dep_ == "pobj" and root.head.dep_ == "prep":
        root = root.head  # "on Tuesday": the preposition hangs from the verb
    if root.dep_ not in ("npadvmod", "tmod", "prep", "advmod") or root.head.i == root.i:
        return False
    verb = root.head
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    # a time before the speaker ("On Monday night, the family says ...") frames what is told
    speaker = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    framing = speaker is not None and span.start_char < speaker.left_edge.idx
    return (verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in verbs and not passive
            and not framing)


def _candidate_spans(doc: Doc, text: str) -> list[tuple[int, int]]:
    """Character spans from the pattern, then spaCy DATE/TIME entities the pattern missed."""
    taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in _finder().matches(text)]
    for ent in entities(doc):
        if ent.label_ not in ("DATE", "TIME"):
            continue
        # The small model runs entities across blank lines ("September 6, 2021\n\nEarlier ...").
        for piece in re.finditer(r"[^\n]+", ent.text):
            raw = piece.group()
            stripped = raw.strip(_EDGE_PUNCTUATION)
            if not stripped:
                continue
            start = ent.start_char + piece.start() + raw.index(stripped)
            end = start + len(stripped)
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
    return sorted(taken)


def _resolve_context(doc: Doc, found: list[When]) -> list[When]:
    """Anchor "earlier in the day" on the previous dated expression; start "until" ranges."""
    resolved: list[When] = []
    for when in found:
        if when.relative == "sameday":
            when = _same_day_as(when, resolved)
        elif when.relative is not None and when.relative.startswith("until:"):
            when = _range_start_in_sentence(doc, when, found)
        resolved.append(when)
    return resolved


def _same_day_as(when: When, earlier: Sequence[When]) -> When:
    for previous in reversed(earlier):
        if (
            previous.precision == "day"
            and previous.relative != "sameday"
            and (previous.start is not None or previous.relative is not None)
        ):
            if previous.relative and previous.relative.startswith("until:"):
                continue
            return dataclasses.replace(
                when,
                start=previous.start,
                end=previous.start,
                anchor=previous.anchor,
                relative=previous.relative if previous.start is None else when.relative,
            )
    return dataclasses.replace(when, start=None, end=None, anchor=None)


def _range_start_in_sentence(doc: Doc, when: When, found: Sequence[When]) -> When:
    if when.start is None or when.end is None or when.evidence is None:
        return when
    sentence = _sentence_of(doc, when.evidence.start)
    for other in found:
        if other is when or other.evidence is None or other.start is None:
            continue
        in_sentence = sentence[0] <= other.evidence.start < sentence[1]
        if in_sentence and other.precision == "day" and other.start < when.end:
            return dataclasses.replace(when, start=other.start)
    return when


def _sentence_of(doc: Doc, char: int) -> tuple[int, int]:
    span = expanded_span(doc, char, char + 1)
    if span is None or len(span) == 0:
        return char, char + 1
    sent = sentence_of(span[0])
    return sent.start_char, sent.end_char


# --- the time of one happening -------------------------------------------------------------


def event_when(sent: Span, trigger: Token | None, times: Sequence[When]) -> When | None:
    """The time of the happening reported in ``sent`` around ``trigger``; None if it gives none.

    Among the sentence's expressions the one nearest the trigger in the dependency tree wins
    (ties: nearest in characters); without a trigger, the sentence's first. Never a default date.
    """
    inside = [
        w
        for w in times
        if w.evidence is not None and sent.start_char <= w.evidence.start < sent.end_char
    ]
    if trigger is not None:
        inside = [w for w in inside if not _dates_another_noun(sent.doc, trigger, w)]
    if not inside:
        return None
    if trigger is None:
        return min(inside, key=lambda w: w.evidence.start if w.evidence else 0)
    return min(inside, key=lambda w: _closeness(sent.doc, trigger, w))


def _dates_another_noun(doc: Doc, trigger: Token, when: When) -> bool:
    """A possessive time ("yesterday's offensive") dates its noun, not the trigger's happening."""
    assert when.evidence is not None
    span = expanded_span(doc, when.evidence.start, when.evidence.end)
    if span is None or len(span) == 0:
        return False
    root = span.root
    possessive = root.dep_ == "poss" or any(c.dep_ == "case" for c in root.children)
    return possessive and root.head.i != trigger.i


def _closeness(doc: Doc, trigger: Token, when: When) -> tuple[int, int]:
    assert when.evidence is not None
    span = expanded_span(doc, when.evidence.start, when.evidence.end)
    if span is None or len(span) == 0:
        return (1_000, abs(when.evidence.start - trigger.idx))
    return tree_distance(span.root, trigger), abs(span.root.idx - trigger.idx)


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two tokens in the dependency tree (large if in different sentences)."""
    a_path = [a, *a.ancestors]
    b_path = [b, *b.ancestors]
    b_depth = {t.i: depth for depth, t in enumerate(b_path)}
    for depth, token in enumerate(a_path):
        if token.i in b_depth:
            return depth + b_depth[token.i]
    return 1_000
