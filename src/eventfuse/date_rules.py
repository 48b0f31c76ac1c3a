"""The consensus's named rules (the date's and the tolls'), apart from fusion so that
extraction, which shares the ``disabled_rules`` switch with fusion, can know their names without
importing fusion."""

from __future__ import annotations

# Named rules of the consensus date and tolls, each switched off by id (``eventfuse eval ...
# --ablate``, settings ``disabled_rules``; fusion.yaml ``date_rules``, which lists the toll rules
# too); FusionConfig.date_rules holds those on (fuse/consensus.py applies them).
DATE_RULES = {
    "date_first_report": "a date after the event's first report was published is a later "
    "development (an arrest, a death in hospital, a court date) or a page stamp, not the "
    "happening's day: such dates count only when the reports give no other",
    "date_by_report": "a date's support is the number of reports (articles) giving it, not of "
    "mentions: one article repeating its date does not outvote another",
    "date_first_reported": "an event no report dates is dated to the day it was first reported "
    "(local news reports a happening that day or the next), marked as fusion's estimate",
    "date_precise": "the consensus date is one of the most precise the reports give (a day "
    "before a month or a year); coarser dates only vote: 'earlier this month' overlaps every "
    "day of the month, so it had the most support whenever two reports named different days",
    "toll_died_later": "a report published before any report of the event told a death, and "
    "telling fewer deaths than the event's count, counted among the hurt those who died later: "
    "its injured count is lowered by the deaths it did not yet know",
    "toll_silent_dead": "when the event's death counts are all open-ended (a death noun with no "
    "number: 'a homicide', one or more), a report that counts the hurt and tells no death says "
    "no one died, and votes 0",
    "toll_later_no_death": "a report published after every report of the event telling a death, "
    "that counts the hurt and tells no death, votes 0 dead: later reports know more",
    "namesake_vote": "a place name one report reads as an ambiguous namesake (no context of "
    "its article settled it) votes for the reading another report of the event gives the same "
    "name with its article's context (Chester the English city in one report, Chester, "
    "Pennsylvania in another)",
    "place_support": "of two places as many reports give the event, at the same precision, "
    "the one the reports' sentences also name beside their own place wins (was: the first "
    "by name)",
    "sure_reading": "of two places as many reports give the event, equal otherwise, one its "
    "article settled wins over an ambiguous namesake's reading",
    "near_reading": "of two places as many reports give the event, equal otherwise, the one "
    "more of the other reports' places lie near (fusion.yaml place.nearby_km) wins: a town and "
    "its neighbour beside a far reading (was: the first by name)",
    "outlet_home": "a place name a report left ambiguous (no context of its article settled "
    "it) is read in its outlet's home region when a town of that name lies there: the region "
    "most of the outlet's other stored articles name without doubt (fusion.yaml "
    "outlet_home; the outlet's name, else its URL's host)",
    "outlet_outlier": "a report's town outside its outlet's home region (outlet_home's) does "
    "not vote for the event's place against another report's town inside that region (a "
    "street or neighbourhood read as a far town)",
    "toll_silent_hurt": "a report counting as many dead as the event (a number) and telling no "
    "one hurt votes 0 hurt: a lone 'one hurt' was mostly the one who died, told before the death",
    "toll_hurt_was_dead": "an event of one death whose reports tie between one person hurt and "
    "no one hurt has no one hurt (the one hurt was the one who died), unless a report telling a "
    "death names the hurt one in its headline",
    "toll_roundup": "a report whose headline counts several happenings ('a pair of shootings', "
    "'weekend shootings') counts the hurt of all of them: its count of the hurt votes only when "
    "no other report of the event counts the hurt",
    "toll_headline_tie": "counts of the hurt tied in support go to the one more headlines tell "
    "(a headline sums up its own happening), then to the highest",
}

# Fusion's other named rules, switched off the same way (fusion.yaml gives their settings).
FUSION_RULES = {
    "principal_names": "principal events of one story dated further apart than "
    "principal_day_gap join when two of their articles share principal_names of the story's "
    "own names (no other story's article holds them: a victim's, a street's); two stories' "
    "principal events join when their articles share principal_names_across names only those "
    "two stories hold",
    "principal_two_kinds": "in the principal join, an article's two reports of two types (a "
    "shooting and the arrest it tells) do not tell two principal events apart: they are two "
    "happenings of one story, not two stories' happenings",
    "principal_two_tolls": "one story's principal events dated to two days join within "
    "principal_day_gap only when their reports' exact death counts, if both give some, have one "
    "in common",
    "principal_near_places": "in the principal join, an article's two reports placed within "
    "nearby_km of each other and not dated to two days (the scene's suburb, the hospital's "
    "city) do not tell two principal events apart",
    "principal_apart_km": "in the principal join, an article's two reports placed in one "
    "state further apart than principal_apart_km (a misread town, the hospital's city) do not "
    "tell two principal events apart; two parts of one city on two days, or two states' "
    "towns, still do",
    "principal_ignore_persons": "in the principal joins, two articles' reports naming different "
    "persons as doers are not kept apart: extraction makes the victim, an officer or a witness "
    "the doer (a state, an army or a group named as the doer still keeps them apart)",
    "principal_same_day": "principal events of one kind in two stories, dated to one day and "
    "placed in no two regions of one country, join when an article of each is at least "
    "principal_same_day alike as a whole text and a pair of their reports links",
}

# Every rule fusion reads of the shared switch (extraction passes these over).
FUSION_SWITCHES = {**DATE_RULES, **FUSION_RULES}
