"""The searchable text of an event, as the store keeps it for the listings' filters.

``actor`` and free-text (``q``) filters are case-insensitive substring tests. The store keeps
both texts casefolded in columns of the events table (migration 0005) and tests them with
``LIKE`` on a casefolded needle, so SQLite and PostgreSQL answer exactly as Python's
``needle.casefold() in text`` would, without decoding any event. On SQLite a trigram FTS5
index of both columns first narrows the rows the LIKE reads (:func:`trigram_query`).

The article listing (``GET /api/articles``) filters the same way on columns of the articles
table (migration 0009): the outlet, compared whole with the outlet's name or web domain, and
the title and text, searched as a substring.
"""

from __future__ import annotations

from eventfuse.acled import outlet_domain
from eventfuse.records import Article, Event

# Between two actor names (ASCII's unit separator, which no name holds): a needle holding it
# matches nothing, so no match spans two names.
NAME_SEPARATOR = "\x1f"


def actor_text(event: Event) -> str:
    """The names the actor filter looks in: canonical and surface names, and the actor field's
    per-source values."""
    names = [a.canonical for a in event.actors] + [a.name for a in event.actors]
    names += [str(v.value) for v in event.fields.get("actor", ())]
    return NAME_SEPARATOR.join(name.casefold() for name in names if name)


def search_text(event: Event) -> str:
    """The text the free-text filter looks in: type, mode, place, actors, each source's outlet,
    title and evidence, and every quote."""
    parts: list[str] = [event.type, event.mode or "", event.acled_sub_event_type or ""]
    if event.location:
        parts += [event.location.name, event.location.canonical or ""]
    parts += [a.canonical for a in event.actors]
    for source in event.sources:
        parts += [source.outlet or "", source.title or ""]
        if source.evidence:
            parts.append(source.evidence.text)
    for group in event.quotes:
        parts += [q.text for q in group.renderings]
    return " ".join(parts).casefold()


def article_outlet_keys(article: Article) -> tuple[str | None, str | None]:
    """(outlet name, web domain of its URL), casefolded: an outlet filter matches either whole."""
    domain = outlet_domain(article.url)
    return (article.outlet.casefold() if article.outlet else None,
            domain.casefold() if domain else None)


def article_search_text(article: Article) -> str:
    """The text the article listing's free-text filter looks in: title, a space, the text,
    casefolded. A NUL (which PostgreSQL text cannot hold, and no needle may hold: see
    :func:`can_match`) is kept as U+FFFD."""
    return f"{article.title or ''} {article.text}".casefold().replace("\x00", "\ufffd")


def can_match(needle: str, *, actor: bool) -> bool:
    """False for a needle no stored text holds: NUL (PostgreSQL text cannot hold it, and would
    refuse the parameter), or the name separator in an actor needle."""
    return "\x00" not in needle and not (actor and NAME_SEPARATOR in needle)


def like_pattern(needle: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching text that contains ``needle`` casefolded."""
    escaped = needle.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def trigram_query(column: str, needle: str) -> str | None:
    """An FTS5 query of the trigram index (SQLite) finding the rows whose ``column`` may hold
    ``needle``: a superset of the exact matches, as the index folds case too. None below three
    characters, which no trigram covers."""
    folded = needle.casefold()
    if len(folded) < 3:
        return None
    return f'{column} : "{folded.replace(chr(34), chr(34) * 2)}"'
