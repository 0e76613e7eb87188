"""The notification list, marking alerts read, and the unread badge on every page."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.alerts.models import Alert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# session, user, role names (nav links), unread badge, page count, the alerts themselves
LIST_PAGE_QUERIES = 6


@pytest.fixture
def alerts_for(make_lead):
    def make(user, count, *, level="breach"):
        lead = make_lead()
        rows = []
        for n in range(count):
            rows.append(
                Alert.objects.create(
                    lead=lead if n == 0 else make_lead(),
                    level=level,
                    recipient=user,
                    created_at=lead.created_at + dt.timedelta(minutes=n),
                )
            )
        return rows

    return make


def test_alert_list_needs_login(client):
    response = client.get("/alerts/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_alert_list_shows_only_my_alerts_newest_first(client, alerts_for, owner, team_lead):
    mine = alerts_for(owner, 3)
    theirs = alerts_for(team_lead, 1)
    client.force_login(owner)

    response = client.get("/alerts/")

    assert [a.pk for a in response.context["alerts"]] == [a.pk for a in reversed(mine)]
    assert f"alert-{theirs[0].pk}" not in response.content.decode()
    assert f'href="/leads/{mine[0].lead_id}/"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_alert_list_query_count_does_not_grow_with_alerts(
    client, alerts_for, owner, count, django_assert_num_queries
):
    alerts_for(owner, count)
    client.force_login(owner)

    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = client.get("/alerts/")

    assert len(response.context["alerts"]) == count


def test_mark_one_read_without_javascript_returns_to_the_list(client, alerts_for, owner):
    first, second = alerts_for(owner, 2)
    client.force_login(owner)

    response = client.post(f"/alerts/{first.pk}/read/", {"page": "1"})

    assert (response.status_code, response["Location"]) == (302, "/alerts/?page=1")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_one_read_with_htmx_swaps_the_row_and_refreshes_the_badge(client, alerts_for, owner):
    (alert,) = alerts_for(owner, 1)
    client.force_login(owner)

    response = client.post(f"/alerts/{alert.pk}/read/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="alert-{alert.pk}"')
    assert "Mark read" not in body
    assert response["HX-Trigger"] == "alerts-changed"


def test_cannot_mark_someone_elses_alert_read(client, alerts_for, owner, team_lead):
    (theirs,) = alerts_for(team_lead, 1)
    client.force_login(owner)

    client.post(f"/alerts/{theirs.pk}/read/")

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(client, alerts_for, owner, team_lead):
    alerts_for(owner, 3)
    alerts_for(team_lead, 2)
    client.force_login(owner)

    response = client.post("/alerts/read-all/")

    assert response.status_code == 302
    assert not Alert.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert Alert.objects.filter(recipient=team_lead, read_at__isnull=True).count() == 2


def test_mark_read_needs_post(client, alerts_for, owner):
    (alert,) = alerts_for(owner, 1)
    client.force_login(owner)

    assert client.get(f"/alerts/{alert.pk}/read/").status_code == 405


@pytest.mark.parametrize(
    ("unread", "read", "badge"),
    [
        pytest.param(0, 2, None, id="none-unread-no-badge"),
        pytest.param(3, 2, ">3<", id="counts-only-unread"),
        pytest.param(100, 0, ">99+<", id="capped"),
    ],
)
def test_unread_badge_on_every_page(client, alerts_for, owner, unread, read, badge):
    for alert in alerts_for(owner, read, level="owner_notice"):
        alert.read_at = alert.created_at
        alert.save()
    alerts_for(owner, unread)
    client.force_login(owner)

    # Any page built on base.html; the alerts page is the one this app owns.
    page = client.get("/alerts/").content.decode()

    assert 'id="alerts-badge"' in page
    badge_html = page[page.index('id="alerts-badge"') :].split("</a>")[0]
    if badge is None:
        assert 'class="badge' not in badge_html
    else:
        assert badge in badge_html


def test_badge_fragment_for_htmx_polling(client, alerts_for, owner):
    alerts_for(owner, 2)
    client.force_login(owner)

    response = client.get("/alerts/badge/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith("{#") is False
    assert 'id="alerts-badge"' in body
    assert ">2<" in body


def test_top_bar_links_to_alerts(client, owner):
    client.force_login(owner)

    topbar = (
        client.get("/alerts/").content.decode().split('class="topbar"')[1].split("</header>")[0]
    )

    assert 'href="/alerts/"' in topbar


def test_anonymous_pages_count_nothing(client, django_assert_num_queries):
    # The password reset page, not the login page: that one lists the single sign-on
    # providers, which allauth also looks up in its table.
    with django_assert_num_queries(0):
        client.get(reverse("password_reset"))


def test_other_user_sees_an_empty_list(client, alerts_for, owner):
    alerts_for(owner, 2)
    client.force_login(UserFactory(username="someone-else"))

    assert "No alerts" in client.get("/alerts/").content.decode()
