"""Who may call the staff API, and paging through a long lead list."""

import datetime as dt

import pytest
from django.test import RequestFactory  # django-axes counts sign-ins by request
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

STAFF_ENDPOINTS = [
    "/api/v1/leads/",
    "/api/v1/leads/1/",
    "/api/v1/leads/1/activities/",
    "/api/v1/people/",
    "/api/v1/referral-sources/",
    "/api/v1/service-lines/",
    "/api/v1/locations/",
    "/api/v1/stages/",
    "/api/v1/teams/",
]


@pytest.mark.parametrize("url", STAFF_ENDPOINTS)
def test_staff_endpoints_answer_401_without_credentials(url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_answers_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get("/api/v1/leads/").status_code == 401


def test_a_token_of_a_deactivated_user_answers_401(client_for, manager):
    client = client_for(manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    assert client.get("/api/v1/leads/").status_code == 401


def test_token_authenticates(client_for, manager):
    lead = LeadFactory()

    response = client_for(manager).get("/api/v1/leads/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [lead.pk]


def test_session_login_authenticates(manager):
    lead = LeadFactory()
    client = APIClient()
    assert client.login(
        request=RequestFactory().post("/"), username="manager", password="correct-horse-battery"
    )

    response = client.get("/api/v1/leads/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [lead.pk]


def test_session_writes_need_the_csrf_token(manager):
    lead = LeadFactory()
    client = APIClient(enforce_csrf_checks=True)
    client.login(
        request=RequestFactory().post("/"), username="manager", password="correct-horse-battery"
    )

    response = client.patch(f"/api/v1/leads/{lead.pk}/", {"payer": "Aetna"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def _walk(client, url: str) -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    return pages


def test_cursor_pages_walk_every_lead_once_newest_first(client_for, manager):
    now = timezone.now()
    # Ties on created_at (bulk imports stamp many leads alike) must not lose or repeat rows.
    created = [now - dt.timedelta(minutes=minutes) for minutes in (1, 2, 2, 2, 3, 4, 4, 5)]
    leads = [LeadFactory(created_at=at) for at in created]
    expected = [
        lead.pk for lead in sorted(leads, key=lambda lead: (lead.created_at, lead.pk), reverse=True)
    ]

    pages = _walk(client_for(manager), reverse("api-lead-list") + "?page_size=3")

    assert [len(page) for page in pages] == [3, 3, 2]
    assert [pk for page in pages for pk in page] == expected


def test_cursor_pages_walk_back_with_previous(client_for, manager):
    leads = [LeadFactory() for _ in range(5)]
    client = client_for(manager)
    first = client.get("/api/v1/leads/?page_size=2").json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    assert len(leads) == 5


def test_lead_list_never_counts_the_table(client_for, manager):
    LeadFactory.create_batch(3)

    body = client_for(manager).get("/api/v1/leads/?page_size=2").json()

    assert set(body) == {"next", "previous", "results"}


def test_an_invalid_cursor_answers_404(client_for, manager):
    response = client_for(manager).get("/api/v1/leads/?cursor=not-a-cursor")

    assert response.status_code == 404


@pytest.mark.parametrize("page_size", ["page_size=ten", "page_size=0", "page_size=5&page_size=9"])
def test_a_page_size_it_cannot_read_answers_400(client_for, manager, page_size):
    response = client_for(manager).get(f"/api/v1/leads/?{page_size}")

    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_size_past_the_largest_gets_the_largest_page(client_for, manager):
    LeadFactory.create_batch(3)

    response = client_for(manager).get("/api/v1/leads/?page_size=100000")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_an_unknown_api_address_answers_json_404(client_for, manager):
    response = client_for(manager).get("/api/v1/leads/not-a-number/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
