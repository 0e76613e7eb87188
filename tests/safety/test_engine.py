"""What the screening engine reads through, and what it must not be fooled by."""

import pytest

from apps.safety import engine
from apps.safety.choices import PhraseKind


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # case and punctuation
        ("I WANT TO KILL MYSELF!!!", "self_harm"),
        ("chest...pain", "cardiac"),
        # contractions, typed with or without the apostrophe, straight or curly
        ("I can't breathe", "breathing"),
        ("i cant breathe", "breathing"),
        ("I can\u2019t breathe", "breathing"),
        ("I cannot breathe", "breathing"),
        # word order within a phrase
        ("pain in my chest", "cardiac"),
        ("my speech is slurred", "stroke"),
        # plurals and inflections
        ("took too many pill", "overdose"),
        ("he is hitting me", "violence"),
        # misspellings
        ("having sucidal thoughts", "self_harm"),
        ("chest pian", "cardiac"),
        ("my lips are turning blu and I cant breth", "breathing"),
        # Spanish, with and without accents
        ("tengo dolor en el pecho", "cardiac"),
        ("tiene la cara caida", "stroke"),
        ("no puedo respirar", "breathing"),
        # run-on text, no punctuation
        ("hi i need an appointment but also i think im having a heart attack rn", "cardiac"),
    ],
)
def test_wordings_that_are_caught(text, category):
    assert engine.screen(text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "No chest pain, just knee pain",
        "denies chest pain",
        "I had a stroke two years ago",
        "had a heart attack in 2019, need a cardiologist",
        "I'm dying to get my hip fixed",
        "killer knee pain",
        "my back is killing me",
        "What should I do if I get chest pain?",
        "I can't breathe through my nose at night",
        "tuve un derrame cerebral hace dos años",
        "me muero de ganas de operarme",
        "no tengo dolor de pecho",
        "I hit my head last week",
    ],
)
def test_wordings_that_are_left_alone(text):
    assert engine.screen(text).category is None


def test_a_discounted_match_says_why():
    screening = engine.screen("No chest pain today")
    assert [(m.category, m.words, m.reason) for m in screening.matches] == [
        ("cardiac", "chest pain", "negated")
    ]


def test_an_idiom_drops_only_the_match_it_covers():
    screening = engine.screen("I'm dying to get my hip fixed. Also I took too many pills.")
    assert screening.category == "overdose"


def test_the_matched_words_are_the_persons_own():
    assert engine.screen("Crushing PRESSURE in my chest").matched_words == [
        "Crushing PRESSURE in my chest"
    ]


def test_a_hospital_phrase_flags_and_a_not_a_flag_phrase_clears():
    flag = engine.PhraseSpec(
        key="hospital:1", category="stroke", language="en", text="arm went dead", built_in=False
    )
    not_a_flag = engine.PhraseSpec(
        key="hospital:2",
        category="",
        language="en",
        text="heart attack grill",
        kind=PhraseKind.NOT_A_FLAG,
        built_in=False,
    )
    assert engine.screen("my arm went dead an hour ago").category is None
    assert engine.screen("my arm went dead just now", custom=[flag]).category == "stroke"
    assert engine.screen("we ate at the heart attack grill").category == "cardiac"
    assert engine.screen("we ate at the heart attack grill", custom=[not_a_flag]).category is None


def test_a_built_in_phrase_switched_off_no_longer_matches():
    key = engine.built_in_key(language="en", category="overdose", text="drank bleach")
    assert engine.screen("my son drank bleach").category == "overdose"
    assert engine.screen("my son drank bleach", inactive=[key]).category is None


def test_a_message_in_spanish_is_read_in_spanish_and_english_in_english():
    assert engine.languages_of("me duele mucho el pecho") == ["es"]
    assert engine.languages_of("I attempted suicide in the past") == ["en"]
