"""Passwords: 12 characters or more, reset by an emailed link that works once and for an
hour, changed from the user's account page."""

import datetime as dt
import re
from email import message_from_bytes, policy

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-river"


def _reset_link(smtp_server, client, email: str) -> str:
    answer = client.post("/accounts/password/reset/", {"email": email}, follow=True)
    assert "Check your email" in answer.content.decode()
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [email]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Reset your LeadCRM password"
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/accounts/password/reset/\S+/", text).group(0)


def _choose(client, link: str, password: str):
    form_page = client.get(link, follow=True)
    return client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def test_a_reset_link_sets_a_new_password_and_fails_on_second_use(client, smtp_server):
    user = UserFactory(username="pat.kim", email="pat.kim@hospital.test")
    link = _reset_link(smtp_server, client, "pat.kim@hospital.test")

    done = _choose(client, link, NEW_PASSWORD)

    assert "Your new password is set." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_reset_link_expires_after_an_hour(client, smtp_server):
    user = UserFactory(username="pat.kim", email="pat.kim@hospital.test")
    link = _reset_link(smtp_server, client, "pat.kim@hospital.test")

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        late = client.get(link, follow=True)

    assert "This link no longer works" in late.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, smtp_server):
    answer = client.post(
        "/accounts/password/reset/", {"email": "nobody@hospital.test"}, follow=True
    )

    assert "Check your email" in answer.content.decode()
    assert smtp_server.envelopes == []


def test_a_new_password_shorter_than_12_characters_is_refused(client, smtp_server):
    user = UserFactory(username="pat.kim", email="pat.kim@hospital.test")
    link = _reset_link(smtp_server, client, "pat.kim@hospital.test")

    refused = _choose(client, link, "short-pw-11")

    assert "at least 12 characters" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_a_user_changes_their_password_on_their_account_page_and_stays_signed_in(client):
    user = UserFactory(username="pat.kim")
    client.force_login(user)
    assert "Change password" in client.get("/account/").content.decode()

    answer = client.post(
        "/account/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert "Your password was changed." in answer.content.decode()
    assert client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("wrong-password-here", NEW_PASSWORD, "Your old password was entered incorrectly"),
        ("correct-horse-battery", "short-pw-11", "at least 12 characters"),
        ("correct-horse-battery", "123456789012345", "This password is entirely numeric"),
        ("correct-horse-battery", "password12345", "This password is too common"),
    ],
)
def test_a_wrong_or_weak_password_change_is_refused_with_the_reason(client, old, new, error):
    user = UserFactory(username="pat.kim")
    client.force_login(user)

    answer = client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )

    assert answer.status_code == 400
    assert error in answer.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")
