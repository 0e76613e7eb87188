"""What a row of the staff lead list says, that its names are never stale, and what a
page costs in SQL."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import (
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(username="manager", roles=[Role.MANAGER])


def _client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _as_drf_writes_it(value: dt.datetime | None) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


def test_a_row_names_everything_linked_to_the_lead(manager):
    created = timezone.now() - dt.timedelta(days=3)
    lead = LeadFactory(
        person=PersonFactory(first_name="Luis", last_name="Ruiz"),
        lead_type="physician_referral",
        channel="referral",
        service_line=ServiceLineFactory(slug="orthopedics", name="Orthopedics"),
        location=LocationFactory(slug="north", name="North Campus"),
        urgency="urgent",
        stage=stage_get_by_slug("contacted"),
        stage_entered_at=created + dt.timedelta(hours=2),
        owner=UserFactory(first_name="Dana", last_name="Cole"),
        team=TeamFactory(name="Ortho intake"),
        referral_source=ReferralSourceFactory(),
        score=42,
        created_at=created,
        first_response_at=created + dt.timedelta(minutes=7, microseconds=250),
        sla_due_at=created + dt.timedelta(minutes=15),
    )

    (row,) = _client(manager).get("/api/v1/leads/").json()["results"]

    assert row == {
        "id": lead.pk,
        "person": {"id": lead.person_id, "display_name": "Luis Ruiz"},
        "lead_type": "physician_referral",
        "channel": "referral",
        "service_line": {"slug": "orthopedics", "name": "Orthopedics"},
        "location": {"slug": "north", "name": "North Campus"},
        "urgency": "urgent",
        "stage": {"slug": "contacted", "name": "Contacted", "kind": "open"},
        "stage_entered_at": _as_drf_writes_it(lead.stage_entered_at),
        "owner": {"id": lead.owner_id, "display_name": "Dana Cole"},
        "team": {"id": lead.team_id, "name": "Ortho intake"},
        "referral_source_id": lead.referral_source_id,
        "score": 42,
        "created_at": _as_drf_writes_it(created),
        "first_response_at": _as_drf_writes_it(lead.first_response_at),
        "sla_due_at": _as_drf_writes_it(lead.sla_due_at),
        "closed_at": None,
    }


def test_a_lead_without_location_owner_or_team_says_null(manager):
    LeadFactory(location=None, owner=None, team=None)

    (row,) = _client(manager).get("/api/v1/leads/").json()["results"]

    assert (row["location"], row["owner"], row["team"]) == (None, None, None)


def test_an_owner_without_a_name_is_shown_by_username(manager):
    LeadFactory(owner=UserFactory(username="jdoe", first_name="", last_name=""))

    (row,) = _client(manager).get("/api/v1/leads/").json()["results"]

    assert row["owner"]["display_name"] == "jdoe"


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Asia/Kolkata"])
def test_times_are_written_in_the_active_time_zone_as_drf_writes_them(manager, zone):
    created = dt.datetime(2026, 3, 8, 6, 59, 30, 123456, tzinfo=dt.UTC)  # US DST starts
    LeadFactory(created_at=created, stage_entered_at=created)

    with timezone.override(zone):
        (row,) = _client(manager).get("/api/v1/leads/").json()["results"]
        expected = _as_drf_writes_it(created)

    assert row["created_at"] == row["stage_entered_at"] == expected
    assert expected.endswith("Z") == (zone == "UTC")


def test_renamed_reference_data_shows_on_the_next_request(manager):
    lead = LeadFactory(owner=UserFactory(), team=TeamFactory())
    client = _client(manager)
    client.get("/api/v1/leads/")

    lead.service_line.name = "Joint Replacement"
    lead.service_line.save()
    lead.location.name = "Lakeside Campus"
    lead.location.save()
    lead.owner.first_name, lead.owner.last_name = "Rae", "Kim"
    lead.owner.save()
    lead.team.name = "Joints intake"
    lead.team.save()

    (row,) = client.get("/api/v1/leads/").json()["results"]
    assert row["service_line"]["name"] == "Joint Replacement"
    assert row["location"]["name"] == "Lakeside Campus"
    assert row["owner"]["display_name"] == "Rae Kim"
    assert row["team"]["name"] == "Joints intake"


def test_one_users_scope_and_filters_never_carry_over_to_the_next_request(manager):
    team = TeamFactory()
    coordinator = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=coordinator)
    in_team = LeadFactory(team=team, urgency="urgent")
    elsewhere = LeadFactory(urgency="routine")

    coordinators = _client(coordinator).get("/api/v1/leads/", {"urgency": "urgent"})
    managers = _client(manager).get("/api/v1/leads/")

    assert [row["id"] for row in coordinators.json()["results"]] == [in_team.pk]
    assert sorted(row["id"] for row in managers.json()["results"]) == sorted(
        [in_team.pk, elsewhere.pk]
    )


@pytest.mark.parametrize("count", [5, 50])
def test_a_managers_page_costs_four_queries_for_5_or_50_rows(
    manager, django_assert_num_queries, count
):
    service_lines = [ServiceLineFactory(), ServiceLineFactory()]
    owners = [UserFactory(), None]
    teams = [TeamFactory(), TeamFactory()]
    for index in range(count):
        LeadFactory(
            service_line=service_lines[index % 2],
            owner=owners[index % 2],
            team=teams[index % 2],
            location=LocationFactory() if index % 3 else None,
        )
    client = _client(manager)

    # the token with its user + roles + the page + the names of what the page links to
    with django_assert_num_queries(4):
        response = client.get("/api/v1/leads/")

    assert len(response.json()["results"]) == count
