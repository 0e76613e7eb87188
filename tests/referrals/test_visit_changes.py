"""A visit logged in error is corrected or deleted, with a reason that stays on each
source's history with the values before and after."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.referrals.models import LiaisonVisit, LiaisonVisitChange, LiaisonVisitSource
from apps.referrals.services import liaison_territories_set, visit_log
from apps.referrals.visit_services import visit_delete, visit_update
from tests.factories import ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(liaison):
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    return [
        ReferralSourceFactory(name=f"North practice {n}", territory="North Shore") for n in range(2)
    ]


@pytest.fixture
def visit(liaison, sources):
    return visit_log(
        actor=liaison,
        liaison=liaison,
        sources=sources,
        visited_on=timezone.localdate(),
        gift_value=Decimal("80.00"),
        notes="Lunch and learn",
    )


def test_an_edit_records_old_and_new_values_and_resplits_the_gift(liaison, sources, visit):
    change = visit_update(
        visit=visit,
        actor=liaison,
        reason="Typed the wrong amount",
        sources=sources[:1],
        visited_on=visit.visited_on,
        kind=visit.kind,
        gift_value=Decimal("40.00"),
        notes="Lunch and learn",
    )

    assert change.changes["Gift or meal value"] == ["$80.00", "$40.00"]
    assert change.changes["Sources"] == ["North practice 0, North practice 1", "North practice 0"]
    assert "Notes" not in change.changes
    assert sorted(change.source_ids) == sorted(source.pk for source in sources)
    shares = LiaisonVisitSource.objects.filter(visit=visit)
    assert [(share.source_id, share.gift_value) for share in shares] == [
        (sources[0].pk, Decimal("40.00"))
    ]


def test_a_deletion_keeps_what_the_visit_said_and_why(liaison, sources, visit):
    number = visit.pk
    visit_delete(visit=visit, actor=liaison, reason="Logged twice")

    assert not LiaisonVisit.objects.filter(pk=number).exists()
    assert not LiaisonVisitSource.objects.filter(visit_id=number).exists()
    change = LiaisonVisitChange.objects.get()
    assert (change.visit_number, change.action, change.reason) == (
        number,
        "deleted",
        "Logged twice",
    )
    assert change.changes["Notes"] == ["Lunch and learn", ""]


@pytest.mark.parametrize("reason", ["", "   "])
def test_no_change_without_a_reason(liaison, visit, reason):
    with pytest.raises(ValidationError) as error:
        visit_delete(visit=visit, actor=liaison, reason=reason)
    assert "reason" in error.value.message_dict
    assert LiaisonVisit.objects.filter(pk=visit.pk).exists()


def test_another_liaison_cannot_change_my_visit(visit):
    other = UserFactory(roles=["liaison"])
    with pytest.raises(ValidationError):
        visit_delete(visit=visit, actor=other, reason="Mine now")


def test_edit_and_delete_from_the_pages_show_on_the_sources_history(
    client, liaison, sources, visit
):
    client.force_login(liaison)
    profile = client.get(reverse("referrals:profile", args=[sources[0].pk])).content.decode()
    assert reverse("referrals:visit_edit", args=[visit.pk]) in profile

    page = client.get(reverse("referrals:visit_edit", args=[visit.pk]))
    assert page.context["form"]["notes"].value() == "Lunch and learn"
    response = client.post(
        reverse("referrals:visit_edit", args=[visit.pk]),
        {
            "sources": [source.pk for source in sources],
            "visited_on": visit.visited_on.isoformat(),
            "kind": "in_person",
            "notes": "Lunch and learn for the nurses",
            "gift_value": "80.00",
            "reason": "Added who came",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("referrals:visit_delete", args=[visit.pk]), {"reason": "Was a phone call"}
    )
    assert response.status_code == 302

    history = client.get(reverse("referrals:profile", args=[sources[1].pk])).content.decode()
    assert "edited" in history and "Added who came" in history
    assert "Lunch and learn → Lunch and learn for the nurses" in history
    assert "deleted" in history and "Was a phone call" in history


def test_a_liaison_gets_404_for_someone_elses_visit(client, visit):
    other = UserFactory(roles=["liaison"])
    client.force_login(other)
    assert client.get(reverse("referrals:visit_edit", args=[visit.pk])).status_code == 404
    assert (
        client.post(reverse("referrals:visit_delete", args=[visit.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert LiaisonVisit.objects.filter(pk=visit.pk).exists()
