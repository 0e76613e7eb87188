"""The phrases screening looks for, compiled for matching, and the per-language
pipelines that read a text: the half of the engine that is built once per process (or
once per distinct set of a hospital's phrases). See apps.safety.engine for the reading.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

import simplemma
import spacy
from medspacy.context import ConText, ConTextRule
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from apps.safety.choices import PhraseKind
from apps.safety.languages import LANGUAGES

SPAN_GROUP = "safety"
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


def built_in_phrases() -> list[PhraseSpec]:
    """Every phrase shipped in apps.safety.languages, with its stable key."""
    return list(built_in_phrase_specs())


@cache
def built_in_phrase_specs() -> tuple[PhraseSpec, ...]:
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
class Pipeline:
    nlp: spacy.Language
    context: ConText


@cache
def pipeline(code: str) -> Pipeline:
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
    return Pipeline(nlp=nlp, context=context)


def warm_up() -> None:
    """Load every language's pipeline and lemma dictionary now rather than on the
    first inquiry (about two seconds, once per process)."""
    for code in LANGUAGES:
        pipeline(code)
        simplemma.lemmatize("warm", lang=code)
    rule_sets(())


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def word_keys(norm: str, code: str) -> frozenset[str]:
    keys = {norm, strip_accents(norm)}
    if len(norm) >= LEMMA_MIN_LENGTH or norm in ("is", "are", "was", "'s", "'re"):
        lemma = simplemma.lemmatize(norm, lang=code).lower()
        keys |= {lemma, strip_accents(lemma)}
    return frozenset(keys)


def token_norm(token) -> str:
    return token.norm_.lower()


# --- Phrases compiled for matching ------------------------------------------------


@dataclass(frozen=True)
class CompiledPhrase:
    spec: PhraseSpec
    words: tuple[frozenset[str], ...]
    needs: tuple[frozenset[str], ...]
    ordered: bool
    slack: int


@dataclass
class RuleSet:
    """The phrases of one language, indexed by word key."""

    code: str
    phrases: list[CompiledPhrase] = field(default_factory=list)
    # word key -> every phrase having a word with that key (for misspellings)
    index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # anchor key -> the phrases whose anchor word has that key
    anchors: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    vocabulary: list[str] = field(default_factory=list)
    fuzzy_cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, spec: PhraseSpec) -> None:
        nlp = pipeline(self.code).nlp
        words = tuple(
            word_keys(token_norm(token), self.code)
            for token in nlp.make_doc(spec.text)
            if not (token.is_punct or token.is_space)
        )
        if not words:
            return
        needs = tuple(
            word_keys(token_norm(token), self.code)
            for need in spec.needs
            for token in nlp.make_doc(need)
        )
        number = len(self.phrases)
        # Idioms are fixed wordings: "dying to" is an idiom, "want to die" is not.
        ordered = spec.kind == PhraseKind.NOT_A_FLAG
        negations = set(LANGUAGES[self.code].NEGATION_WORDS)
        slack = NEGATED_PHRASE_SLACK if any(keys & negations for keys in words) else WINDOW_SLACK
        self.phrases.append(
            CompiledPhrase(spec=spec, words=words, needs=needs, ordered=ordered, slack=slack)
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
                if is_a_word(norm):
                    # A real word is taken for a phrase word only when two letters
                    # were swapped ("pian" for "pain"), the commonest typing slip.
                    near = [n for n in near if sorted(n[0]) == sorted(norm)]
                found = frozenset(word for word, _, _ in near)
            self.fuzzy_cache[norm] = found
        return found


@lru_cache(maxsize=100_000)
def is_a_word(norm: str) -> bool:
    """A word of any language we screen in is not a misspelling: "suicidal" must not
    become Spanish "suicida", where English negations are not understood."""
    return any(simplemma.is_known(norm, lang=code) for code in LANGUAGES)


@lru_cache(maxsize=16)
def rule_sets(custom: tuple[PhraseSpec, ...], inactive: frozenset[str] = frozenset()):
    """The rule sets for the built-in phrases still active plus the hospital's own.
    Cached by value: the same phrases compile once per process."""
    rule_sets = {code: RuleSet(code=code) for code in LANGUAGES}
    for spec in (*built_in_phrase_specs(), *custom):
        if spec.key not in inactive and spec.language in rule_sets:
            rule_sets[spec.language].add(spec)
    for rule_set in rule_sets.values():
        rule_set.finish()
    return rule_sets
