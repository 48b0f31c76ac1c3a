"""The model's attribute ruler, its patterns matched by a look-up instead of spaCy's Matcher.

The small English model's ``attribute_ruler`` maps tags to parts of speech and morphology and
fixes a few words (179 patterns, each one or two tokens on TAG, LOWER, DEP, IS_SPACE). spaCy's
Matcher tries every pattern at every token: 12 µs a token, a sixth of the whole parse on
gva-dev (bench/stages). A token's single-token matches depend only on those four attributes,
so they are looked up by them once per distinct key; two-token patterns are checked only where
their first token matched. The annotations are set by the ruler itself (``set_annotations``,
patterns in the ruler's order, later ones winning), from matches computed on the tokens as
they were before any is set, as the Matcher does: the same output, token for token
(tests/test_nlp_attributes.py compares them on gva-dev texts).
"""

# No `from __future__ import annotations`: spaCy reads the factory's annotations at run time.
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

NAME = "eventfuse_attribute_index"
# The token attributes the look-up can read; a pattern on any other keeps spaCy's ruler.
_READERS: dict[str, Callable[[Token], Any]] = {
    "TAG": lambda t: t.tag_,
    "LOWER": lambda t: t.lower_,
    "DEP": lambda t: t.dep_,
    "IS_SPACE": lambda t: t.is_space,
}
_OPERATORS = frozenset({"IN", "NOT_IN", "REGEX"})
# Distinct (tag, lower, dep, space) keys kept: news vocabulary keeps adding words, memory must not.
_KEYS_KEPT = 200_000

Spec = Mapping[str, Any]
# A token's (TAG, LOWER, DEP, IS_SPACE) ids, LOWER 0 for a word no pattern names
Key = tuple[int, int, int, int]
# pattern's index in the ruler, the token specs of one alternative, the index of the token set
Alternative = tuple[int, tuple[Spec, ...], int]


def _patterns(ruler: AttributeRuler) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], ruler.patterns)


def indexable(ruler: AttributeRuler) -> bool:
    """Every pattern uses only the attributes and operators this look-up understands."""
    for pattern in _patterns(ruler):
        for alternative in pattern["patterns"]:
            for spec in alternative:
                if not isinstance(spec, Mapping):
                    return False
                for key, want in spec.items():
                    if key not in _READERS:
                        return False
                    if isinstance(want, Mapping) and not set(want) <= _OPERATORS:
                        return False
    return True


def _spec_holds(spec: Spec, values: Mapping[str, Any]) -> bool:
    for key, want in spec.items():
        have = values[key]
        if isinstance(want, Mapping):
            for op, arg in want.items():
                if op == "IN" and have not in arg:
                    return False
                if op == "NOT_IN" and have in arg:
                    return False
                if op == "REGEX" and not re.search(arg, have):
                    return False
        elif have != want:
            return False
    return True


def _values(token: Token) -> dict[str, Any]:
    return {key: read(token) for key, read in _READERS.items()}


def named_lowers(ruler: AttributeRuler) -> frozenset[str] | None:
    """Every LOWER value a pattern names (as the value, or in an IN / NOT_IN list); None when
    a pattern asks a REGEX of LOWER. Any other word meets every LOWER spec alike (equal to none,
    in no list, out of every list), so the look-up need not tell such words apart."""
    words: set[str] = set()
    for pattern in _patterns(ruler):
        for alternative in pattern["patterns"]:
            for spec in alternative:
                want = spec.get("LOWER")
                if isinstance(want, str):
                    words.add(want)
                elif isinstance(want, Mapping):
                    if "REGEX" in want:
                        return None
                    for values in want.values():
                        words.update(values)
    return frozenset(words)


class _FirstTokenIndex:
    """Which of ``alternatives`` a token's values match on their first token, in their order.

    A new (tag, lower, dep, space) key is a new word most of the time; trying all 179 patterns
    on it was most of the look-up's cost. A pattern whose first token asks one LOWER (else one
    TAG) value can only match a token with that value: only those patterns, and the ones
    without such a value, are tried (every one of them in full), so the matches are the same."""

    def __init__(self, alternatives: Sequence[Alternative]) -> None:
        self._specs = [specs[0] for _, specs, _ in alternatives]
        self._by_lower: dict[str, list[int]] = {}
        self._by_tag: dict[str, list[int]] = {}
        self._always: list[int] = []
        for k, spec in enumerate(self._specs):
            lower, tag = spec.get("LOWER"), spec.get("TAG")
            if isinstance(lower, str):
                self._by_lower.setdefault(lower, []).append(k)
            elif isinstance(tag, str):
                self._by_tag.setdefault(tag, []).append(k)
            else:
                self._always.append(k)

    def holding(self, values: Mapping[str, Any]) -> list[int]:
        """Indices (ascending) of the alternatives whose first token ``values`` match."""
        tried = sorted({*self._always, *self._by_lower.get(values["LOWER"], ()),
                        *self._by_tag.get(values["TAG"], ())})
        return [k for k in tried if _spec_holds(self._specs[k], values)]


class IndexedAttributeRuler:
    """Runs the model's attribute ruler with matches found by :func:`_matches`."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        alternatives: list[Alternative] = [
            (order, tuple(alt), int(pattern.get("index", 0)))
            for order, pattern in enumerate(_patterns(ruler))
            for alt in pattern["patterns"]
        ]
        self.single = [a for a in alternatives if len(a[1]) == 1]
        self.multi = [a for a in alternatives if len(a[1]) > 1]
        self._single_index = _FirstTokenIndex(self.single)
        self._multi_index = _FirstTokenIndex(self.multi)
        # A match's id: the ruler's key for the pattern, as its Matcher returns it.
        self.match_ids = [ruler.vocab.strings.add(str(n)) for n in range(len(ruler.patterns))]
        self._by_key: dict[Key, tuple[tuple[int, ...], tuple[Alternative, ...]]] = {}
        # Words no pattern names share one key (LOWER 0): a new word of the news is then a new
        # key only with a new (tag, dep) pair, not at every word (41k keys per 300 articles).
        named = named_lowers(ruler)
        self._named: frozenset[int] | None = (
            None if named is None else frozenset(ruler.vocab.strings.add(w) for w in named))

    def _at(self, key: Key, token: Token) -> tuple[tuple[int, ...], tuple[Alternative, ...]]:
        """The single-token patterns matching the token (of ``key``), and the longer ones whose
        first token it matches."""
        found = self._by_key.get(key)
        if found is None:
            values = _values(token)
            found = (
                tuple(self.single[k][0] for k in self._single_index.holding(values)),
                tuple(self.multi[k] for k in self._multi_index.holding(values)),
            )
            if len(self._by_key) >= _KEYS_KEPT:
                self._by_key.clear()
            self._by_key[key] = found
        return found

    def _matches(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        found: list[tuple[int, int, int, int]] = []
        named, by_key = self._named, self._by_key
        rows: list[list[int]] = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        for start, (tag, lower, dep, space) in enumerate(rows):
            key = (tag, lower if named is None or lower in named else 0, dep, space)
            hit = by_key.get(key)
            single, multi = hit if hit is not None else self._at(key, doc[start])
            found.extend((order, self.match_ids[order], start, start + 1) for order in single)
            for order, specs, _index in multi:
                end = start + len(specs)
                if end <= len(doc) and all(_spec_holds(spec, _values(doc[start + k]))
                                           for k, spec in enumerate(specs[1:], 1)):
                    found.append((order, self.match_ids[order], start, end))
        found.sort()
        return found

    def __call__(self, doc: Doc) -> Doc:
        """The ruler's ``set_annotations``, in its order (later patterns win, lexeme attributes
        included), without building a Span per match (a fifth of the ruler's time)."""
        matches = self._matches(doc)
        ruler = self.ruler
        targets: list[int] = []
        for order, _match_id, start, end in matches:
            index = ruler.indices[order]
            target = start + index if index >= 0 else end + index
            if not start <= target < end:  # an index off its match: the ruler's own error
                ruler.set_annotations(doc, matches)  # type: ignore[no-untyped-call]
                return doc
            targets.append(target)
        for (order, _match_id, _start, _end), target in zip(matches, targets, strict=True):
            set_token_attrs(doc[target], ruler.attrs[order])
        return doc


@Language.factory(NAME)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    """Built from the pipeline's ``attribute_ruler``, which must be there."""
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    return IndexedAttributeRuler(ruler)


def with_indexed_attributes(nlp: Language) -> Language:
    """The pipeline with its attribute ruler run by the look-up, where every pattern allows."""
    if "attribute_ruler" not in nlp.pipe_names:
        return nlp
    ruler = nlp.get_pipe("attribute_ruler")
    if not isinstance(ruler, AttributeRuler) or not indexable(ruler):
        return nlp
    nlp.add_pipe(NAME, after="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    return nlp


__all__: Sequence[str] = ("NAME", "IndexedAttributeRuler", "indexable", "with_indexed_attributes")
