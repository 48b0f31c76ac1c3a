"""The headline's own happening, for an article whose text reports no violent one.

A page often holds no more of the story than its headline: the text the outlet served is a
sign-in notice, a video playlist or a poll ("Teen hurt in shooting near Millbrook Park" over a
registration form), or a follow-up whose text tells the charge and
leaves the shooting to the headline ("Man charged in Elm Street killing"). Its one violent
happening is then the headline's: a mention of it, its evidence a zero-width span at the text's
start holding the headline's words (as the headline's victim counts are, extract/victims.py),
placed where the headline says when it names a place.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from eventfuse.extract.events import detect_events, main_event
from eventfuse.extract.headline_parse import headline_doc
from eventfuse.extract.places import event_location, find_places
from eventfuse.records import Article, Evidence, Mention, MentionKey, Place, When, as_category


def headline_mention(
    article: Article, kinds: Collection[str], off: frozenset[str] = frozenset()
) -> Mention | None:
    """The happening of one of ``kinds`` the headline reports (its main one), or None. Its id
    is the text's start with a place part of 0 (``article:0@0``): no mention of the text has
    it (a split mention's place part is a place's offset, never its own trigger's). ``off``:
    the place rules switched off, as for the text's places."""
    title = (article.title or "").strip()
    if not title:
        return None
    doc = headline_doc(title)  # the parse salience and the victims read too
    found = main_event([c for c in detect_events(doc) if c.type in kinds])
    if found is None:
        return None
    at_start = Evidence(article.id, 0, 0, title)
    read = event_location(found.sentence, found.trigger, find_places(doc, article.id, off=off))
    place = None if read is None else _at_start(read, article.id)
    lemmas = tuple(sorted({t.lemma_.lower() for t in doc[found.trigger.i : found.trigger.i + 1]
                           if t.is_alpha}))
    return Mention(
        id=str(MentionKey(article.id, 0, 0)),
        article_id=article.id,
        type=as_category(found.type),
        mode=found.mode,
        acled_event_type=found.acled_event_type,
        acled_sub_event_type=found.acled_sub_event_type,
        trigger=Evidence(article.id, 0, 0, found.trigger.text),
        sentence=at_start,
        location=place,
        when=_publication_week(article),
        status=found.status,
        confidence=0.5,
        source_id=article.source_id,
        outlet=article.outlet,
        published=article.published,
        trigger_lemmas=lemmas,
    )


def _publication_week(article: Article) -> When | None:
    """The publication day read as a week (fusion's slack: three days either side): a headline
    names no day, but it tells news. Undated, the mention paired with every report of its story
    and place whatever their days, and pages of one outlet without their stories (one story by
    their shared page furniture) chained their headlines' happenings into one event."""
    if article.published is None:
        return None
    return When(text="headline", start=article.published, end=article.published,
                precision="week", anchor="publication")


def _at_start(place: Place, article_id: str) -> Place:
    """The headline's place, its evidence at the text's start like the mention's."""
    return replace(place, evidence=Evidence(article_id, 0, 0, place.name))
