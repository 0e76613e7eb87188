"""The account page's settings: the time zone times are shown in and which alerts come
by email; and each role's home page."""

import pytest
from django.urls import reverse

from apps.accounts.choices import AlertEmails, Role
from apps.alerts.choices import AlertLevel
from apps.alerts.models import Alert
from apps.alerts.services import alert_email_wanted
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_saves_their_time_zone_and_alert_emails(client):
    user = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    client.force_login(user)

    response = client.post(
        reverse("accounts:account"),
        {"time_zone": "America/Denver", "alert_emails": AlertEmails.URGENT},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.time_zone, user.alert_emails) == ("America/Denver", AlertEmails.URGENT)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "America/Denver" in page  # times are shown in the zone chosen


def test_an_unknown_zone_is_a_field_error(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:account"), {"time_zone": "Mars/Olympus", "alert_emails": "all"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("choice", "level", "emailed"),
    [
        (AlertEmails.ALL, AlertLevel.OWNER_NOTICE, True),
        (AlertEmails.URGENT, AlertLevel.OWNER_NOTICE, False),
        (AlertEmails.URGENT, AlertLevel.RED_FLAG, True),
        (AlertEmails.URGENT, AlertLevel.BREACH, True),
        (AlertEmails.NONE, AlertLevel.RED_FLAG, False),
    ],
)
def test_alert_emails_follow_the_users_choice(choice, level, emailed):
    recipient = UserFactory(alert_emails=choice)
    alert = Alert(recipient=recipient, lead=LeadFactory(), level=level)
    assert alert_email_wanted(alert=alert) is emailed


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.INTAKE_COORDINATOR, "queue:index"),
        (Role.LIAISON, "referrals:plan"),
        (Role.MANAGER, "dashboards:index"),
        (Role.ADMIN, "dashboards:index"),
        (Role.PRIVACY_OFFICER, "privacy:patient_access"),
    ],
)
def test_each_role_starts_on_its_own_page(client, role, home):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(home)


def test_someone_with_no_role_yet_gets_the_welcome_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.INTAKE_COORDINATOR, ["Queue", "New inquiry"], ["Setup", "Dashboards", "Privacy"]),
        (Role.LIAISON, ["Queue", "Referrals"], ["Setup", "New inquiry", "Dashboards"]),
        (Role.MANAGER, ["Queue", "Dashboards", "Setup", "Users and roles"], ["Privacy"]),
        (Role.PRIVACY_OFFICER, ["Privacy"], ["Queue", "Setup", "New inquiry"]),
    ],
)
def test_the_navigation_shows_each_role_what_it_can_use(client, role, shown, hidden):
    client.force_login(UserFactory(roles=[role]))
    page = client.get(reverse("accounts:account")).content.decode()
    nav = page.split('id="main-nav"')[1].split("</nav>")[0]
    for label in shown:
        assert f">{label}<" in nav, label
    for label in hidden:
        assert f">{label}<" not in nav, label
