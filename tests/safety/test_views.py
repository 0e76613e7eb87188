"""The managers' safety pages: the role guard, testing a message, the phrase forms."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.safety import engine
from apps.safety.models import BuiltInPhraseOff, SafetyPhrase, SafetyPhraseLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["safety:test_message", "safety:phrase_list"]


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(username="morgan", roles=[Role.MANAGER]))
    return client


@pytest.mark.parametrize("name", PAGES)
def test_coordinators_and_liaisons_are_refused(client, name):
    for role in (Role.INTAKE_COORDINATOR, Role.LIAISON):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_test_page_shows_what_matches_and_why(manager_client):
    response = manager_client.post(
        reverse("safety:test_message"),
        {"text": "No chest pain. But my face is drooping on one side since 10 minutes"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Flagged: stroke" in html
    assert "<q>chest pain</q>" in html and "No: negated" in html
    assert "<q>face is drooping</q>" in html
    assert "call 911" in html.lower() and "llame al 911" in html.lower()
    assert not SafetyPhrase.objects.exists()  # nothing saved


def test_the_test_page_says_when_nothing_matches(manager_client):
    response = manager_client.post(reverse("safety:test_message"), {"text": "knee consult"})
    assert "Not flagged" in response.content.decode()


def test_an_empty_message_is_a_field_error(manager_client):
    response = manager_client.post(reverse("safety:test_message"), {"text": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_manager_adds_a_phrase_through_the_form(manager_client):
    response = manager_client.post(
        reverse("safety:phrase_list"),
        {"kind": "flag", "category": "bleeding", "language": "es", "phrase": "chorrea sangre"},
    )

    assert response.status_code == 302
    assert SafetyPhrase.objects.get().phrase == "chorrea sangre"


def test_switching_off_a_built_in_phrase_without_a_reason_shows_the_error(manager_client):
    key = engine.built_in_key(language="en", category="cardiac", text="heart attack")
    response = manager_client.post(
        reverse("safety:built_in_switch_off"), {"key": key, "reason": ""}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not BuiltInPhraseOff.objects.exists()


def test_switching_off_a_built_in_phrase_with_a_reason_shows_it_in_the_log(manager_client):
    key = engine.built_in_key(language="en", category="cardiac", text="heart attack")
    manager_client.post(
        reverse("safety:built_in_switch_off"),
        {"key": key, "reason": "Trialling a narrower wording for two weeks."},
    )

    page = manager_client.get(reverse("safety:phrase_list")).content.decode()
    assert "Trialling a narrower wording for two weeks." in page
    assert SafetyPhraseLog.objects.get().phrase == "heart attack"
