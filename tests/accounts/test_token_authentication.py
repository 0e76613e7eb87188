"""Token authentication of the staff API (DRF's TokenAuthentication): the user and their
roles read afresh on every request."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_role_granted_applies_from_the_next_request():
    team = TeamFactory()
    user = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    in_team, elsewhere = LeadFactory(team=team), LeadFactory()
    client = _client(user)
    assert [row["id"] for row in client.get("/api/v1/leads/").json()["results"]] == [in_team.pk]

    user.groups.add(Group.objects.get(name=Role.MANAGER))

    rows = client.get("/api/v1/leads/").json()["results"]
    assert sorted(row["id"] for row in rows) == sorted([in_team.pk, elsewhere.pk])


def test_a_role_taken_away_applies_from_the_next_request():
    user = UserFactory(roles=[Role.MANAGER])
    LeadFactory()
    client = _client(user)
    assert len(client.get("/api/v1/leads/").json()["results"]) == 1

    user.groups.clear()

    assert client.get("/api/v1/leads/").json()["results"] == []


def test_a_deleted_token_stops_working_at_once():
    user = UserFactory(roles=[Role.MANAGER])
    client = _client(user)
    assert client.get("/api/v1/stages/").status_code == 200

    Token.objects.filter(user=user).delete()

    assert client.get("/api/v1/stages/").status_code == 401


def test_a_superuser_without_role_groups_sees_every_lead():
    user = UserFactory()
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    lead = LeadFactory()

    rows = _client(user).get("/api/v1/leads/").json()["results"]

    assert [row["id"] for row in rows] == [lead.pk]


def test_the_token_with_its_user_and_roles_costs_one_query(django_assert_num_queries):
    client = _client(UserFactory(roles=[Role.MANAGER, Role.LIAISON]))

    # the token with its user and the roles (read once for every check of the request) +
    # the (empty) page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/leads/")

    assert response.json()["results"] == []
