"""The screening engine: which emergency phrases a text contains, and which of them count.

No database and no Django here: the caller passes the hospital's own phrases in, so the
engine can be benchmarked and tested on its own (bench/safety.py, tests/safety/).

How a text is read, per language in apps.safety.languages (every text in every language,
so a Spanish message from a person whose preferred language is English is still read):
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

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import simplemma
import spacy
from medspacy.context import ConText, ConTextRule
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spacy.tokens import Doc, Span

from apps.safety.choices import CATEGORY_PRECEDENCE, PhraseKind
from apps.safety.languages import LANGUAGES

# Words of a phrase may be spread over this many extra tokens ("pain in my chest"), or
# one for a phrase holding a negation ("can't really breathe").
WINDOW_SLACK = 3
NEGATED_PHRASE_SLACK = 2
# Misspellings are forgiven only in words this long, and at this similarity (one edit
# in five letters); shorter words have too many real neighbours ("pill"/"bill").
FUZZY_MIN_LENGTH = 4
FUZZY_MIN_SIMILARITY = 0.75
# Below this length a token's lemma is not used: "me" and "I" share the lemma "I",
# which would let "I hit my head" match "hit me".
LEMMA_MIN_LENGTH = 4
# A language is read when its share of the text's words is at least this part of the
# most likely language's share.
LANGUAGE_SHARE = 0.6
SPAN_GROUP = "safety"
CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "\u2014", "\u2013"})  # dashes
# The ConText attributes that make a match not count, and how the test page says why.
DISCOUNTING = {
    "is_negated": "negated",
    "is_historical": "in the past",
    "is_hypothetical": "hypothetical or a topic, not an event",
}
# Bounds every language's ConText scopes: a line break between the message and the
# condition field, or between two lines of a message.
COMMON_CONTEXT_RULES = [
    ("line break", "TERMINATE", "TERMINATE", None, [{"IS_SPACE": True}]),
]


@dataclass(frozen=True)
class PhraseSpec:
    """A phrase as written, built in or a manager's."""

    key: str
    category: str
    language: str
    text: str
    kind: str = PhraseKind.FLAG
    needs: tuple[str, ...] = ()
    built_in: bool = True


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


def built_in_phrases() -> list[PhraseSpec]:
    """Every phrase shipped in apps.safety.languages, with its stable key."""
    return list(_built_in_phrases())


@cache
def _built_in_phrases() -> tuple[PhraseSpec, ...]:
    specs = []
    for code, module in LANGUAGES.items():
        for category, entries in module.PHRASES.items():
            for entry in entries:
                text, *needs = (entry,) if isinstance(entry, str) else entry
                specs.append(
                    PhraseSpec(
                        key=built_in_key(language=code, category=category, text=text),
                        category=category,
                        language=code,
                        text=text,
                        needs=tuple(needs),
                    )
                )
        for text in module.NOT_A_FLAG:
            specs.append(
                PhraseSpec(
                    key=built_in_key(language=code, category="", text=text),
                    category="",
                    language=code,
                    text=text,
                    kind=PhraseKind.NOT_A_FLAG,
                )
            )
    return tuple(specs)


def built_in_key(*, language: str, category: str, text: str) -> str:
    return f"{language}:{category or 'not_a_flag'}:{text}"


# --- Language pipelines, once per process ---------------------------------------


@dataclass
class _Pipeline:
    nlp: spacy.Language
    context: ConText


@cache
def _pipeline(code: str) -> _Pipeline:
    nlp = spacy.blank(code)
    nlp.add_pipe("sentencizer")
    context = ConText(
        nlp,
        rules=None,
        language_code=code,
        input_span_type="group",
        span_group_name=SPAN_GROUP,
        prune_on_modifier_overlap=True,
        # "can't" inside "can't breathe" is part of the phrase, not its negation.
        prune_on_target_overlap=True,
    )
    rules = [*LANGUAGES[code].CONTEXT_RULES, *COMMON_CONTEXT_RULES]
    context.add(
        [
            ConTextRule(literal, category, pattern=pattern, direction=direction, max_scope=scope)
            for literal, category, direction, scope, pattern in rules
        ]
    )
    return _Pipeline(nlp=nlp, context=context)


def warm_up() -> None:
    """Load every language's pipeline and lemma dictionary now rather than on the
    first inquiry (about two seconds, once per process)."""
    for code in LANGUAGES:
        _pipeline(code)
        simplemma.lemmatize("warm", lang=code)
    _compiled(())


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def _word_keys(norm: str, code: str) -> frozenset[str]:
    keys = {norm, _strip_accents(norm)}
    if len(norm) >= LEMMA_MIN_LENGTH or norm in ("is", "are", "was", "'s", "'re"):
        lemma = simplemma.lemmatize(norm, lang=code).lower()
        keys |= {lemma, _strip_accents(lemma)}
    return frozenset(keys)


def _token_norm(token) -> str:
    return token.norm_.lower()


# --- Phrases compiled for matching ------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    spec: PhraseSpec
    words: tuple[frozenset[str], ...]
    needs: tuple[frozenset[str], ...]
    ordered: bool
    slack: int


@dataclass
class _RuleSet:
    """The phrases of one language, indexed by word key."""

    code: str
    phrases: list[_Compiled] = field(default_factory=list)
    # word key -> every phrase having a word with that key (for misspellings)
    index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # anchor key -> the phrases whose anchor word has that key
    anchors: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    vocabulary: list[str] = field(default_factory=list)
    fuzzy_cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, spec: PhraseSpec) -> None:
        nlp = _pipeline(self.code).nlp
        words = tuple(
            _word_keys(_token_norm(token), self.code)
            for token in nlp.make_doc(spec.text)
            if not (token.is_punct or token.is_space)
        )
        if not words:
            return
        needs = tuple(
            _word_keys(_token_norm(token), self.code)
            for need in spec.needs
            for token in nlp.make_doc(need)
        )
        number = len(self.phrases)
        # Idioms are fixed wordings: "dying to" is an idiom, "want to die" is not.
        ordered = spec.kind == PhraseKind.NOT_A_FLAG
        negations = set(LANGUAGES[self.code].NEGATION_WORDS)
        slack = NEGATED_PHRASE_SLACK if any(keys & negations for keys in words) else WINDOW_SLACK
        self.phrases.append(
            _Compiled(spec=spec, words=words, needs=needs, ordered=ordered, slack=slack)
        )
        for keys in words:
            for key in keys:
                self.index[key].append(number)
        anchor = max(words, key=lambda keys: max(len(key) for key in keys))
        for key in anchor:
            self.anchors[key].append(number)

    def finish(self) -> None:
        self.vocabulary = sorted(key for key in self.index if len(key) >= FUZZY_MIN_LENGTH)

    def misspelt_keys(self, norm: str) -> frozenset[str]:
        """Phrase words a token outside the dictionary is one or two edits from."""
        found = self.fuzzy_cache.get(norm)
        if found is None:
            found = frozenset()
            if len(norm) >= FUZZY_MIN_LENGTH:
                near = process.extract(
                    norm,
                    self.vocabulary,
                    scorer=DamerauLevenshtein.normalized_similarity,
                    score_cutoff=FUZZY_MIN_SIMILARITY,
                    limit=3,
                )
                if _is_a_word(norm):
                    # A real word is taken for a phrase word only when two letters
                    # were swapped ("pian" for "pain"), the commonest typing slip.
                    near = [n for n in near if sorted(n[0]) == sorted(norm)]
                found = frozenset(word for word, _, _ in near)
            self.fuzzy_cache[norm] = found
        return found


@lru_cache(maxsize=100_000)
def _is_a_word(norm: str) -> bool:
    """A word of any language we screen in is not a misspelling: "suicidal" must not
    become Spanish "suicida", where English negations are not understood."""
    return any(simplemma.is_known(norm, lang=code) for code in LANGUAGES)


@lru_cache(maxsize=16)
def _compiled(custom: tuple[PhraseSpec, ...], inactive: frozenset[str] = frozenset()):
    """The rule sets for the built-in phrases still active plus the hospital's own.
    Cached by value: the same phrases compile once per process."""
    rule_sets = {code: _RuleSet(code=code) for code in LANGUAGES}
    for spec in (*_built_in_phrases(), *custom):
        if spec.key not in inactive and spec.language in rule_sets:
            rule_sets[spec.language].add(spec)
    for rule_set in rule_sets.values():
        rule_set.finish()
    return rule_sets


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
    rule_sets = _compiled(tuple(custom), frozenset(inactive))
    matches: list[Match] = []
    for code in languages_of(text):
        matches += _screen_language(text, rule_set=rule_sets[code])
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


def _screen_language(text: str, *, rule_set: _RuleSet) -> list[Match]:
    pipeline = _pipeline(rule_set.code)
    doc = pipeline.nlp(text)
    keys = []
    for token in doc:
        norm = _token_norm(token)
        token_keys = _word_keys(norm, rule_set.code)
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
        pipeline.context(doc)
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


def _phrase_spans(doc: Doc, *, keys: list[frozenset[str]], rule_set: _RuleSet):
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
            for word_number, word_keys in enumerate(compiled.words):
                if word_keys & token_keys:
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
