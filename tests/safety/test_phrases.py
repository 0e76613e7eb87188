"""Managers tune screening within limits: their own phrases, not-a-flag wordings, and
built-in phrases reviewed but never switched off without a reason, every change logged."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.choices import Role
from apps.safety import engine
from apps.safety.models import BuiltInPhraseOff, SafetyPhraseLog
from apps.safety.selectors import safety_screen_text
from apps.safety.services import (
    built_in_phrase_switch_off,
    built_in_phrase_switch_on,
    safety_phrase_add,
    safety_phrase_switch,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BLEACH = engine.built_in_key(language="en", category="overdose", text="drank bleach")


@pytest.fixture
def manager(db):
    return UserFactory(username="morgan", roles=[Role.MANAGER])


def test_a_hospital_phrase_flags_from_the_next_inquiry_and_is_logged(manager):
    assert safety_screen_text(text="my leg went dead an hour ago").category is None

    safety_phrase_add(
        actor=manager, kind="flag", category="stroke", language="en", phrase="leg went dead"
    )

    assert safety_screen_text(text="my leg went dead an hour ago").category == "stroke"
    entry = SafetyPhraseLog.objects.get()
    assert (entry.change, entry.phrase, entry.actor) == ("added", "leg went dead", manager)


def test_a_not_a_flag_phrase_clears_its_wording_only(manager):
    safety_phrase_add(
        actor=manager,
        kind="not_a_flag",
        category="",
        language="en",
        phrase="heart attack grill",
    )

    assert safety_screen_text(text="dinner at the heart attack grill").category is None
    assert safety_screen_text(text="I think it's a heart attack").category == "cardiac"


def test_an_emergency_phrase_itself_cannot_be_marked_not_a_flag(manager):
    with pytest.raises(ValidationError) as error:
        safety_phrase_add(
            actor=manager, kind="not_a_flag", category="", language="en", phrase="Chest pain"
        )

    assert "emergency phrase itself" in error.value.message_dict["phrase"][0]
    assert safety_screen_text(text="chest pain").category == "cardiac"


def test_a_flag_phrase_needs_a_category(manager):
    with pytest.raises(ValidationError) as error:
        safety_phrase_add(actor=manager, kind="flag", category="", language="en", phrase="x y")
    assert "category" in error.value.message_dict


def test_a_hospital_phrase_switched_off_stops_flagging(manager):
    phrase = safety_phrase_add(
        actor=manager, kind="flag", category="stroke", language="en", phrase="leg went dead"
    )
    safety_phrase_switch(actor=manager, phrase=phrase, active=False)

    assert safety_screen_text(text="my leg went dead").category is None
    assert [e.change for e in SafetyPhraseLog.objects.order_by("id")] == ["added", "switched_off"]


def test_a_built_in_phrase_cannot_be_switched_off_without_a_reason(manager):
    with pytest.raises(ValidationError) as error:
        built_in_phrase_switch_off(actor=manager, key=BLEACH, reason="  ")

    assert "reason" in error.value.message_dict
    assert not BuiltInPhraseOff.objects.exists()
    assert not SafetyPhraseLog.objects.exists()


def test_a_built_in_phrase_switched_off_with_a_reason_is_logged_and_stops_matching(manager):
    reason = "Our poison control line handles these; they call us otherwise."
    built_in_phrase_switch_off(actor=manager, key=BLEACH, reason=reason)

    assert safety_screen_text(text="my son drank bleach").category is None
    entry = SafetyPhraseLog.objects.get()
    assert (entry.change, entry.built_in, entry.reason, entry.phrase) == (
        "switched_off",
        True,
        reason,
        "drank bleach",
    )

    assert built_in_phrase_switch_on(actor=manager, key=BLEACH) is True
    assert safety_screen_text(text="my son drank bleach").category == "overdose"
    assert SafetyPhraseLog.objects.first().change == "switched_on"


def test_an_unknown_built_in_key_is_refused(manager):
    with pytest.raises(ValidationError):
        built_in_phrase_switch_off(actor=manager, key="en:cardiac:nope", reason="a reason here")
