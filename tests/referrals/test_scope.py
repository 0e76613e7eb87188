"""Who sees and edits which referral sources: liaisons their territory, managers all."""

import pytest
from django.urls import reverse

from apps.referral_sources.models import ReferralSource
from apps.referrals.selectors import referral_source_visible_to
from apps.referrals.services import liaison_territories_set
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(liaison):
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    return ReferralSourceFactory(name="North Family Practice", territory="North Shore")


@pytest.fixture
def south():
    return ReferralSourceFactory(name="South Cardiology Group", territory="South Side")


def test_liaison_sees_only_the_sources_in_their_territory(liaison, north, south):
    assert list(referral_source_visible_to(user=liaison)) == [north]


def test_liaison_also_sees_a_source_they_own_outside_their_territory(liaison, north, south):
    south.owning_liaison = liaison
    south.save()
    assert set(referral_source_visible_to(user=liaison)) == {north, south}


def test_manager_sees_every_source(manager, north, south):
    assert set(referral_source_visible_to(user=manager)) == {north, south}


def test_directory_lists_only_the_liaisons_territory(client, liaison, north, south):
    client.force_login(liaison)
    response = client.get(reverse("referrals:directory"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [north]


def test_manager_directory_lists_every_source(client, manager, north, south):
    client.force_login(manager)
    response = client.get(reverse("referrals:directory"))
    assert set(response.context["page"]) == {north, south}


@pytest.mark.parametrize("page", ["referrals:profile", "referrals:source_edit"])
def test_liaison_gets_404_for_a_source_outside_their_territory(client, liaison, north, south, page):
    client.force_login(liaison)
    assert client.get(reverse(page, args=[south.pk])).status_code == 404
    assert client.get(reverse(page, args=[north.pk])).status_code == 200


def test_liaison_cannot_edit_a_source_outside_their_territory(client, liaison, north, south):
    client.force_login(liaison)
    response = client.post(
        reverse("referrals:source_edit", args=[south.pk]),
        {"name": "Renamed", "kind": "provider", "territory": "South Side"},
    )
    assert response.status_code == 404
    south.refresh_from_db()
    assert south.name == "South Cardiology Group"


def _edit_data(source: ReferralSource, **changes) -> dict:
    data = {
        "name": source.name,
        "kind": source.kind,
        "npi": source.npi or "",
        "specialty": source.specialty,
        "territory": source.territory,
        "is_active": "on",
    }
    return {**data, **changes}


def test_liaison_edits_a_source_in_their_territory(client, liaison, north):
    client.force_login(liaison)
    response = client.post(
        reverse("referrals:source_edit", args=[north.pk]),
        _edit_data(north, specialty="Sports Medicine"),
    )
    assert response.status_code == 302
    north.refresh_from_db()
    assert north.specialty == "Sports Medicine"


def test_liaison_cannot_move_a_source_into_another_territory(client, liaison, north):
    client.force_login(liaison)
    response = client.post(
        reverse("referrals:source_edit", args=[north.pk]), _edit_data(north, territory="South Side")
    )
    assert response.status_code == 200
    assert "territory" in response.context["form"].errors
    north.refresh_from_db()
    assert north.territory == "North Shore"


def test_edit_shows_the_services_field_errors(client, manager, north):
    client.force_login(manager)
    response = client.post(
        reverse("referrals:source_edit", args=[north.pk]), _edit_data(north, npi="1234567890")
    )
    assert response.status_code == 200
    assert "check digit" in str(response.context["form"].errors["npi"])


def test_manager_edits_any_source(client, manager, south):
    client.force_login(manager)
    response = client.post(
        reverse("referrals:source_edit", args=[south.pk]),
        _edit_data(south, territory="North Shore"),
    )
    assert response.status_code == 302
    south.refresh_from_db()
    assert south.territory == "North Shore"


@pytest.mark.parametrize(
    "page",
    ["referrals:directory", "referrals:plan", "referrals:visit_new", "referrals:import"],
)
def test_intake_coordinators_do_not_use_the_referral_pages(client, page):
    client.force_login(UserFactory(roles=["intake coordinator"]))
    assert client.get(reverse(page)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("referrals:plan"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_nav_shows_referrals_to_liaisons_only(client, liaison):
    client.force_login(liaison)
    assert b">Referrals</a>" in client.get(reverse("referrals:plan")).content
    client.force_login(UserFactory(roles=["intake coordinator"]))
    assert b">Referrals</a>" not in client.get(reverse("alerts:list")).content
