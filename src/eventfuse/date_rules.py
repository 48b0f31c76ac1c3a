"""The consensus date's named rules, apart from fusion so that extraction, which shares the
``disabled_rules`` switch with fusion, can know their names without importing fusion."""

from __future__ import annotations

# Named rules of the consensus date, each switched off by id (``eventfuse eval ... --ablate``,
# settings ``disabled_rules``; fusion.yaml ``date_rules``); FusionConfig.date_rules holds
# those on (fuse/consensus.py applies them).
DATE_RULES = {
    "date_first_report": "a date after the event's first report was published is a later "
    "development (an arrest, a death in hospital, a court date) or a page stamp, not the "
    "happening's day: such dates count only when the reports give no other",
    "date_by_report": "a date's support is the number of reports (articles) giving it, not of "
    "mentions: one article repeating its date does not outvote another",
    "date_first_reported": "an event no report dates is dated to the day it was first reported "
    "(local news reports a happening that day or the next), marked as fusion's estimate",
}

# Fusion's other named rules, switched off the same way (fusion.yaml gives their settings).
FUSION_RULES = {
    "principal_names": "principal events of one story dated further apart than "
    "principal_day_gap join when two of their articles share principal_names of the story's "
    "own names (no other story's article holds them: a victim's, a street's); two stories' "
    "principal events join when their articles share principal_names_across names only those "
    "two stories hold",
}

# Every rule fusion reads of the shared switch (extraction passes these over).
FUSION_SWITCHES = {**DATE_RULES, **FUSION_RULES}
