"""Sign-in lockout (django-axes): the fifth failure locks the username for 15 minutes,
the right password included, with words that don't reveal whether the username exists;
an admin can unlock."""

import secrets

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "Too many failed sign-in attempts. Sign-in is paused for 15 minutes"


def _fail(client, username, times):
    return [
        client.post(LOGIN, {"login": username, "password": "not-the-password"})
        for _ in range(times)
    ]


def test_the_fifth_failure_locks_and_the_right_password_is_then_refused(client):
    UserFactory(username="pat.kim")

    first_four = _fail(client, "pat.kim", 4)
    fifth = _fail(client, "pat.kim", 1)[0]

    assert [r.status_code for r in first_four] == [200] * 4
    assert all(LOCKED not in r.content.decode() for r in first_four)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert fifth["Retry-After"] == "900"
    right = client.post(LOGIN, {"login": "pat.kim", "password": "correct-horse-battery"})
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert SESSION_KEY not in client.session


def test_an_unknown_username_is_locked_with_the_same_words(client):
    UserFactory(username="pat.kim")

    known = _fail(client, "pat.kim", 5)[-1].content.decode()
    client.logout()
    unknown = _fail(client, "no.such.person", 5)[-1]

    assert unknown.status_code == 429
    assert LOCKED in unknown.content.decode()
    assert LOCKED in known


def test_five_failures_from_one_address_lock_it_for_every_username(client):
    UserFactory(username="pat.kim")
    for name in ["a.one", "b.two", "c.three", "d.four", "e.five"]:
        _fail(client, name, 1)

    right = client.post(LOGIN, {"login": "pat.kim", "password": "correct-horse-battery"})

    assert right.status_code == 429


def test_another_address_is_not_locked_by_failures_elsewhere(client):
    UserFactory(username="pat.kim")
    for name in ["a.one", "b.two", "c.three", "d.four", "e.five"]:
        _fail(client, name, 1)

    right = client.post(
        LOGIN,
        {"login": "pat.kim", "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.7",
    )

    assert right.status_code == 302


def test_an_admin_unlocks_a_locked_out_user_from_the_user_list(client):
    admin = UserFactory(username="it.admin", is_staff=True, is_superuser=True)
    locked = UserFactory(username="pat.kim")
    _fail(client, "pat.kim", 5)

    staff = type(client)()
    staff.force_login(admin)
    answer = staff.post(
        "/admin/accounts/user/",
        {"action": "unlock_sign_in", "_selected_action": [locked.pk]},
        follow=True,
    )
    assert "Sign-in unlocked for 1 user(s)." in answer.content.decode()

    right = client.post(LOGIN, {"login": "pat.kim", "password": "correct-horse-battery"})
    assert right.status_code == 302
    assert client.session[SESSION_KEY] == str(locked.pk)


def test_sign_ins_over_the_rate_from_one_address_wait_with_retry_after(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip", "login_failed": None}
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    answers = [
        client.post(LOGIN, {"login": name, "password": "nope"}, REMOTE_ADDR=address)
        for name in ["a.one", "b.two", "c.three", "d.four"]
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"
    assert "Too many sign-ins came from your network" in answers[-1].content.decode()
