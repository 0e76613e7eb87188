"""The screening engine: which emergency phrases a text contains, and which of them count.

The phrases and the language pipelines are compiled in apps.safety.phrasebook. No
database and no Django here: the caller passes the hospital's own phrases in, so the
engine can be benchmarked and tested on its own (bench/safety.py, tests/safety/).

How a text is read, in each language of apps.safety.languages that simplemma finds in it
(so a Spanish message from a person whose preferred language is English is still read,
and English is not misread as Spanish):
1. spaCy's blank pipeline for the language (a rule-based tokenizer, no trained model, so
   nothing is downloaded) splits it into sentences and tokens, and expands contractions
   through the token's norm ("can't" -> "can not", "wanna" -> "want to").
2. Each token gets keys: its norm, its lemma (simplemma: "pills" -> "pill", "sangrando" ->
   "sangrar") and both without accents. A token outside simplemma's dictionary of the
   language ("brethe", "sucidal") is also given the phrase words it is one or two edits
   from (rapidfuzz's Damerau-Levenshtein), so small misspellings still match.
3. A phrase matches when all its words are found within a few tokens of each other, in
   any order, inside one clause (sentences and commas bound a clause).
4. A match that overlaps a not-a-flag phrase (an idiom: "dying to", "killer") is dropped.
5. medspaCy's ConText runs the language's rules over the remaining matches and marks
   those that are negated ("no chest pain"), in the past ("a stroke two years ago") or
   hypothetical ("what to do if"). Those do not count.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import simplemma
from spacy.tokens import Doc, Span

from apps.safety.choices import CATEGORY_PRECEDENCE, PhraseKind
from apps.safety.languages import LANGUAGES
from apps.safety.phrasebook import (
    SPAN_GROUP,
    PhraseSpec,
    RuleSet,
    built_in_key,
    built_in_phrases,
    pipeline,
    rule_sets,
    token_norm,
    warm_up,
    word_keys,
)

__all__ = [
    "Match",
    "PhraseSpec",
    "Screening",
    "built_in_key",
    "built_in_phrases",
    "languages_of",
    "screen",
    "warm_up",
]

# A language is read when its share of the text's words is at least this part of the
# most likely language's share.
LANGUAGE_SHARE = 0.6
CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "\u2014", "\u2013"})  # dashes
# The ConText attributes that make a match not count, and how the test page says why.
DISCOUNTING = {
    "is_negated": "negated",
    "is_historical": "in the past",
    "is_hypothetical": "hypothetical or a topic, not an event",
}


@dataclass(frozen=True)
class Match:
    """One phrase found in the text, and whether it counts (`reason` says why not)."""

    category: str
    language: str
    phrase: str
    phrase_key: str
    words: str
    built_in: bool
    reason: str = ""
    span: tuple[int, int] = (0, 0)  # tokens of the words, in that language's reading

    @property
    def counts(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Screening:
    """Every match in a text; the flag is the counting match of highest precedence."""

    matches: tuple[Match, ...] = ()

    @property
    def counted(self) -> list[Match]:
        return [match for match in self.matches if match.counts]

    @property
    def category(self) -> str | None:
        counted = self.counted
        if not counted:
            return None
        return min((m.category for m in counted), key=CATEGORY_PRECEDENCE.__getitem__)

    @property
    def matched_words(self) -> list[str]:
        """The words that matched, for the flag's category first, each once."""
        category = self.category
        ordered = sorted(self.counted, key=lambda m: m.category != category)
        return list(dict.fromkeys(match.words for match in ordered))


# --- Screening ----------------------------------------------------------------------


def screen(
    text: str, *, custom: Iterable[PhraseSpec] = (), inactive: Iterable[str] = ()
) -> Screening:
    """Screen one text (an inquiry's message and condition, joined by a line break).

    `custom` are the hospital's phrases; `inactive` the keys of built-in phrases a
    manager switched off. Pure: reads no database and writes nothing.
    """
    if not text.strip():
        return Screening()
    by_language = rule_sets(tuple(custom), frozenset(inactive))
    matches: list[Match] = []
    for code in languages_of(text):
        matches += _screen_language(text, rule_set=by_language[code])
    return Screening(matches=tuple(matches))


def languages_of(text: str) -> list[str]:
    """The languages a text is read in: those with nearly as many of its words as the
    most likely one (simplemma's share of known words), so mixed messages are read in
    both, and every language when none is recognised.

    Reading English in Spanish too would be wrong, not just slow: "suicide" is also a
    Spanish verb form, and Spanish rules do not know "in the past".
    """
    shares = dict(simplemma.langdetect(text, lang=tuple(LANGUAGES)))
    best = max(shares.get(code, 0.0) for code in LANGUAGES)
    if best == 0:
        return list(LANGUAGES)
    return [code for code in LANGUAGES if shares.get(code, 0.0) >= LANGUAGE_SHARE * best]


def _screen_language(text: str, *, rule_set: RuleSet) -> list[Match]:
    reader = pipeline(rule_set.code)
    doc = reader.nlp(text)
    keys = []
    for token in doc:
        norm = token_norm(token)
        token_keys = word_keys(norm, rule_set.code)
        if not any(key in rule_set.index for key in token_keys):
            token_keys = token_keys | rule_set.misspelt_keys(norm)
        keys.append(token_keys)

    found = _phrase_spans(doc, keys=keys, rule_set=rule_set)
    if not found:
        return []
    idioms = [(start, end, c) for start, end, c in found if c.spec.kind == PhraseKind.NOT_A_FLAG]
    flags = [(start, end, c) for start, end, c in found if c.spec.kind == PhraseKind.FLAG]
    doc_keys = set().union(*keys)
    matches, targets = [], []
    for start, end, compiled in flags:
        if compiled.needs and not any(need & doc_keys for need in compiled.needs):
            continue
        spec = compiled.spec
        idiom = next((c for s, e, c in idioms if s < end and start < e), None)
        match = Match(
            category=spec.category,
            language=rule_set.code,
            phrase=spec.text,
            phrase_key=spec.key,
            words=doc[start:end].text,
            built_in=spec.built_in,
            reason=f"not a flag: “{idiom.spec.text}”" if idiom else "",
            span=(start, end),
        )
        matches.append(match)
        if not idiom:
            targets.append((len(matches) - 1, Span(doc, start, end, label=spec.category)))
    if targets:
        doc.spans[SPAN_GROUP] = [span for _, span in targets]
        reader.context(doc)
        for number, span in targets:
            reason = next((why for attr, why in DISCOUNTING.items() if getattr(span._, attr)), "")
            if reason:
                matches[number] = _with_reason(matches[number], reason)
    return _best_per_phrase(matches)


def _with_reason(match: Match, reason: str) -> Match:
    return Match(**{**match.__dict__, "reason": reason})


def _best_per_phrase(matches: list[Match]) -> list[Match]:
    """One match per phrase, a counting occurrence before a discounted one; and of the
    phrases of one category found in the same words ("chest pain", "chest pains"), the
    one covering the most words."""
    best: dict[str, Match] = {}
    for match in matches:
        kept = best.get(match.phrase_key)
        if kept is None or (match.counts and not kept.counts):
            best[match.phrase_key] = match
    ordered = sorted(best.values(), key=lambda m: (not m.counts, m.span[0] - m.span[1]))
    kept_matches: list[Match] = []
    for match in ordered:
        if not any(
            other.category == match.category
            and other.counts == match.counts
            and other.span[0] <= match.span[0]
            and match.span[1] <= other.span[1]
            for other in kept_matches
        ):
            kept_matches.append(match)
    return kept_matches


def _clause_numbers(doc: Doc) -> list[int]:
    """For each token, the number of its clause: a phrase's words must share one.
    Sentences, line breaks and commas bound a clause."""
    numbers, clause = [], 0
    for token in doc:
        if token.is_sent_start and token.i:
            clause += 1
        if token.is_space or token.text in CLAUSE_BREAKS:
            clause += 1
        numbers.append(clause)
    return numbers


def _phrase_spans(doc: Doc, *, keys: list[frozenset[str]], rule_set: RuleSet):
    """(start, end, phrase) for every phrase whose words all occur close together.

    Only phrases whose anchor (their most telling word) occurs are looked at, so an
    ordinary message costs one dictionary lookup per token key.
    """
    anchors = rule_set.anchors
    candidates = {n for token_keys in keys for key in token_keys for n in anchors.get(key, ())}
    if not candidates:
        return []
    clause_of = _clause_numbers(doc)
    found = []
    for number in candidates:
        compiled = rule_set.phrases[number]
        by_clause: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for position, token_keys in enumerate(keys):
            for word_number, phrase_word_keys in enumerate(compiled.words):
                if phrase_word_keys & token_keys:
                    by_clause[clause_of[position]][word_number].append(position)
        for by_word in by_clause.values():
            if len(by_word) < len(compiled.words):
                continue
            window = _smallest_window(
                by_word, width=len(compiled.words) + compiled.slack, ordered=compiled.ordered
            )
            if window is not None:
                found.append((window[0], window[1] + 1, compiled))
    return found


def _smallest_window(
    by_word: dict[int, list[int]], *, width: int, ordered: bool
) -> tuple[int, int] | None:
    """The first and last token of the tightest run holding every word on its own token,
    if it spans at most `width` tokens (and, when `ordered`, has the words in order)."""
    events = sorted((pos, word) for word, positions in by_word.items() for pos in positions)
    needed = len(by_word)
    best = None
    for first_index, (first, _) in enumerate(events):
        seen: dict[int, int] = {}
        for pos, word in events[first_index:]:
            if pos - first + 1 > width:
                break
            if pos not in seen.values():
                seen.setdefault(word, pos)
            if len(seen) == needed:
                if ordered and sorted(seen) != sorted(seen, key=seen.__getitem__):
                    break
                last = max(seen.values())
                if best is None or last - first < best[1] - best[0]:
                    best = (first, last)
                break
    return best
