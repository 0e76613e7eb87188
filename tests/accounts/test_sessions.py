"""Automatic logoff and ending sessions: 15 minutes idle (the queue's own polling is not
activity), 12 hours at most, "sign out everywhere", deactivation, API token expiry."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import StaffSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE_POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "queue-list"}


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def manager():
    return UserFactory(username="pat.kim", roles=["manager"])


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/account/").status_code == 200
    return client


def test_fifteen_idle_minutes_sign_a_session_out_with_the_reason(clock, manager):
    client = _signed_in(manager)
    clock.shift(dt.timedelta(minutes=14))
    assert client.get("/account/").status_code == 200  # activity: the clock starts again

    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert client.get("/account/").status_code == 200
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    answer = client.get("/queue/")

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=%2Fqueue%2F"
    login_page = client.get(answer["Location"]).content.decode()
    assert "You were signed out after 15 minutes without activity." in login_page
    assert SESSION_KEY not in client.session


def test_the_queues_polling_does_not_keep_a_session_signed_in(clock, manager):
    client = _signed_in(manager)
    for _ in range(89):  # every 10 s for 14 min 50 s
        clock.shift(10)
        assert client.post("/queue/", **QUEUE_POLL).status_code == 200

    clock.shift(11)
    answer = client.post("/queue/", HTTP_HX_CURRENT_URL="http://testserver/queue/", **QUEUE_POLL)

    # htmx loads the login page in place of the whole page, not inside the queue.
    assert answer["HX-Redirect"] == "/accounts/login/?next=%2Fqueue%2F"
    assert client.get("/queue/").status_code == 302


def test_the_alerts_badge_and_the_warnings_status_check_are_not_activity(clock, manager):
    client = _signed_in(manager)
    clock.shift(dt.timedelta(minutes=10))
    client.get("/alerts/badge/", HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="alerts-badge")
    assert client.get("/account/session/").json() == {"seconds_left": 300}

    clock.shift(dt.timedelta(minutes=5, seconds=1))

    # 200, not 401: the browser would log a failed request as a console error.
    assert client.get("/account/session/").json() == {"signed_in": False}


def test_stay_signed_in_counts_as_activity(clock, manager):
    client = _signed_in(manager)
    clock.shift(dt.timedelta(minutes=14, seconds=30))

    stay = client.post("/account/session/stay/")

    assert stay.json() == {"seconds_left": 900}
    clock.shift(dt.timedelta(minutes=14))
    assert client.get("/account/").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_active(clock, manager):
    client = _signed_in(manager)
    for _ in range(71):  # a click every 10 minutes for 11 h 50 min
        clock.shift(dt.timedelta(minutes=10))
        assert client.get("/account/").status_code == 200

    clock.shift(dt.timedelta(minutes=10))
    answer = client.get("/account/", follow=True)

    assert "You were signed out 12 hours after signing in." in answer.content.decode()
    assert answer.redirect_chain[-1][0].startswith("/accounts/login/")


def test_sign_out_everywhere_ends_the_users_other_sessions_too(manager):
    phone, desk = _signed_in(manager), _signed_in(manager)
    colleague = _signed_in(UserFactory(username="lee.ray"))

    answer = desk.post("/account/sign-out-everywhere/", follow=True)

    assert "You were signed out on every device" in answer.content.decode()
    assert phone.get("/account/").status_code == 302
    assert desk.get("/account/").status_code == 302
    assert colleague.get("/account/").status_code == 200


def test_an_admin_signs_someone_out_everywhere(manager):
    admin = _signed_in(UserFactory(username="it.admin", is_staff=True, is_superuser=True))
    phone, desk = _signed_in(manager), _signed_in(manager)

    admin.post(
        "/admin/accounts/user/", {"action": "sign_out_everywhere", "_selected_action": [manager.pk]}
    )

    assert phone.get("/account/").status_code == 302
    assert desk.get("/account/").status_code == 302
    assert admin.get("/account/").status_code == 200


def test_deactivating_someone_ends_every_session_and_api_token_at_once(manager):
    admin = _signed_in(UserFactory(username="it.admin", is_staff=True, is_superuser=True))
    browser = _signed_in(manager)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    assert api.get("/api/v1/stages/").status_code == 200

    admin.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [manager.pk]})

    assert browser.get("/account/").status_code == 302
    assert api.get("/api/v1/stages/").status_code == 401
    assert not StaffSession.objects.filter(user=manager).exists()
    assert not Token.objects.filter(user=manager).exists()


def test_unticking_active_in_the_admin_ends_sessions_and_tokens(manager):
    admin = _signed_in(UserFactory(username="it.admin", is_staff=True, is_superuser=True))
    _signed_in(manager)
    Token.objects.create(user=manager)
    form = admin.get(f"/admin/accounts/user/{manager.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        is_active="",
        groups=[g.pk for g in manager.groups.all()],
        languages="en",
        date_joined_0=manager.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=manager.date_joined.strftime("%H:%M:%S"),
        user_permissions=[],
    )
    data = {k: v for k, v in data.items() if k not in {"date_joined", "last_login"}}

    answer = admin.post(f"/admin/accounts/user/{manager.pk}/change/", data)

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    assert not StaffSession.objects.filter(user=manager).exists()
    assert not Token.objects.filter(user=manager).exists()


@pytest.mark.parametrize(("age_days", "status"), [(89, 200), (91, 401)])
def test_a_staff_api_token_expires_after_90_days(manager, age_days, status):
    token = Token.objects.create(user=manager)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=age_days))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    answer = api.get("/api/v1/stages/")

    assert answer.status_code == status
    if status == 401:
        assert answer.json() == {"detail": "Token expired."}


def test_a_user_makes_and_revokes_their_api_token_on_their_account_page(manager):
    client = _signed_in(manager)
    made = client.post("/account/api-token/").content.decode()
    key = Token.objects.get(user=manager).key
    assert key in made
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/stages/").status_code == 200
    assert key not in client.get("/account/").content.decode()  # shown once

    client.post("/account/api-token/revoke/")

    assert api.get("/api/v1/stages/").status_code == 401


def test_the_nightly_task_deletes_only_expired_sessions(clock, manager):
    from apps.accounts.tasks import sessions_clear_expired

    _signed_in(manager)
    clock.shift(dt.timedelta(hours=11))
    _signed_in(manager)
    clock.shift(dt.timedelta(hours=2))  # the first is past its 12 hours, the second not

    assert sessions_clear_expired() == 1
    assert StaffSession.objects.filter(user=manager).count() == 1
