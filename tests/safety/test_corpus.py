"""The labelled corpus (tests/safety/corpus.jsonl) holds the screening to its targets:
every emergency caught, at most 2% of ordinary inquiries flagged. bench/safety.py prints
the same figures per category, with the screening time."""

import json
from collections import Counter
from pathlib import Path

import pytest

from apps.safety import engine
from apps.safety.choices import SafetyCategory

CORPUS = [
    json.loads(line)
    for line in (Path(__file__).parent / "corpus.jsonl").read_text().splitlines()
    if line.strip()
]
EMERGENCIES = [row for row in CORPUS if row["category"]]
ORDINARY = [row for row in CORPUS if not row["category"]]
MAX_FALSE_ALARM_RATE = 0.02


def test_the_corpus_is_big_enough_and_covers_every_category_in_both_languages():
    assert len(CORPUS) >= 300
    assert len(EMERGENCIES) >= 120
    assert len(ORDINARY) >= 180
    per_category = Counter((row["category"], row["language"]) for row in EMERGENCIES)
    for category in SafetyCategory.values:
        for language in ("en", "es"):
            assert per_category[(category, language)] >= 5, (category, language)
    assert {row["language"] for row in ORDINARY} == {"en", "es"}


@pytest.mark.parametrize("row", EMERGENCIES, ids=lambda row: row["text"][:40])
def test_every_emergency_is_caught_in_its_category(row):
    assert engine.screen(row["text"]).category == row["category"]


def test_at_most_two_percent_of_ordinary_inquiries_are_flagged():
    false_alarms = [row["text"] for row in ORDINARY if engine.screen(row["text"]).category]
    assert len(false_alarms) / len(ORDINARY) <= MAX_FALSE_ALARM_RATE, false_alarms
