"""Logging liaison visits: the service's rules and the mobile form."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.referrals.models import LiaisonVisit, LiaisonVisitSource
from apps.referrals.services import liaison_territories_set, visit_follow_up_complete, visit_log
from tests.factories import ReferralSourceFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory_sources(liaison):
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    return [
        ReferralSourceFactory(name=f"North practice {n}", territory="North Shore") for n in range(3)
    ]


def log(**overrides):
    values = {"visited_on": timezone.localdate(), **overrides}
    return visit_log(**values)


def test_gift_value_is_split_across_the_sources_to_the_cent(liaison, territory_sources):
    visit = log(
        actor=liaison, liaison=liaison, sources=territory_sources, gift_value=Decimal("100.00")
    )
    shares = sorted(
        LiaisonVisitSource.objects.filter(visit=visit).values_list("gift_value", flat=True)
    )
    assert shares == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_a_visit_defaults_to_in_person_with_no_gift(liaison, territory_sources):
    visit = log(actor=liaison, liaison=liaison, sources=territory_sources[:1])
    assert (visit.kind, visit.gift_value, visit.logged_by) == ("in_person", 0, liaison)
    assert list(visit.sources.all()) == territory_sources[:1]


def test_visit_records_the_details(liaison, territory_sources):
    cardiology = ServiceLineFactory(slug="cardiology")
    due = timezone.localdate() + dt.timedelta(days=7)
    visit = log(
        actor=liaison,
        liaison=liaison,
        sources=territory_sources[:1],
        kind="lunch_and_learn",
        service_lines=[cardiology],
        people_met=["office_manager", "physician"],
        materials_left="Cardiology referral pads",
        gift_value=Decimal("84.50"),
        gift_description="Lunch for 6",
        notes="Asked about Saturday echo slots.",
        follow_up="Send the echo schedule",
        follow_up_due_on=due,
    )
    visit.refresh_from_db()
    assert visit.people_met == ["office_manager", "physician"]
    assert list(visit.service_lines.all()) == [cardiology]
    assert (visit.follow_up, visit.follow_up_due_on) == ("Send the echo schedule", due)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sources": []}, "sources"),
        ({"visited_on": dt.date.today() + dt.timedelta(days=2)}, "visited_on"),
        ({"visited_on": dt.date.today() - dt.timedelta(days=400)}, "visited_on"),
        ({"kind": "carrier_pigeon"}, "kind"),
        ({"people_met": ["ceo"]}, "people_met"),
        ({"gift_value": Decimal("-5")}, "gift_value"),
        ({"gift_value": Decimal("12.345")}, "gift_value"),
        ({"follow_up_due_on": dt.date.today()}, "follow_up"),
        (
            {"follow_up": "Call", "follow_up_due_on": dt.date.today() - dt.timedelta(days=1)},
            "follow_up_due_on",
        ),
    ],
)
def test_bad_visits_are_refused_by_field(liaison, territory_sources, overrides, field):
    values = {"actor": liaison, "liaison": liaison, "sources": territory_sources[:1], **overrides}
    with pytest.raises(ValidationError) as error:
        log(**values)
    assert field in error.value.message_dict
    assert not LiaisonVisit.objects.exists()


def test_liaison_cannot_log_a_visit_to_a_source_outside_their_territory(liaison):
    elsewhere = ReferralSourceFactory(territory="South Side")
    with pytest.raises(ValidationError) as error:
        log(actor=liaison, liaison=liaison, sources=[elsewhere])
    assert "sources" in error.value.message_dict


def test_liaison_cannot_log_a_visit_for_another_liaison(liaison, territory_sources):
    from tests.factories import UserFactory

    other = UserFactory(roles=["liaison"])
    with pytest.raises(ValidationError) as error:
        log(actor=liaison, liaison=other, sources=territory_sources[:1])
    assert "liaison" in error.value.message_dict


def test_manager_logs_a_visit_for_a_liaison(manager, liaison, territory_sources):
    visit = log(actor=manager, liaison=liaison, sources=territory_sources[:1])
    assert (visit.liaison, visit.logged_by) == (liaison, manager)


def test_follow_up_is_marked_done_once(liaison, territory_sources):
    visit = log(actor=liaison, liaison=liaison, sources=territory_sources[:1], follow_up="Call")
    assert visit_follow_up_complete(visit=visit, actor=liaison) is True
    assert visit_follow_up_complete(visit=visit, actor=liaison) is False
    assert visit.follow_up_completed_at is not None


def test_visit_form_needs_only_the_source_date_and_kind(client, liaison, territory_sources):
    client.force_login(liaison)
    page = client.get(reverse("referrals:visit_new"))
    assert page.context["form"]["visited_on"].value() == timezone.localdate()
    assert page.context["form"]["kind"].value() == "in_person"

    response = client.post(
        reverse("referrals:visit_new"),
        {
            "sources": [territory_sources[0].pk],
            "visited_on": timezone.localdate().isoformat(),
            "kind": "in_person",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:profile", args=[territory_sources[0].pk])
    assert LiaisonVisit.objects.get().sources.get() == territory_sources[0]


def test_visit_form_from_a_profile_ticks_the_source(client, liaison, territory_sources):
    client.force_login(liaison)
    response = client.get(reverse("referrals:visit_new") + f"?source={territory_sources[1].pk}")
    assert response.context["chosen"] == {str(territory_sources[1].pk)}
    assert f'value="{territory_sources[1].pk}"' in response.content.decode()


def test_visit_form_shows_errors_beside_the_fields(client, liaison, territory_sources):
    client.force_login(liaison)
    response = client.post(
        reverse("referrals:visit_new"),
        {"visited_on": timezone.localdate().isoformat(), "kind": "in_person"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sources"] == [
        "Choose the source or sources you visited."
    ]


def test_visit_form_lists_only_the_liaisons_sources(client, liaison, territory_sources):
    ReferralSourceFactory(name="South practice", territory="South Side")
    client.force_login(liaison)
    response = client.get(reverse("referrals:visit_new"))
    assert "South practice" not in response.content.decode()
    assert "North practice 0" in response.content.decode()


def test_a_visit_form_sent_twice_saves_one_visit_and_one_follow_up(
    client, liaison, territory_sources
):
    client.force_login(liaison)
    page = client.get(reverse("referrals:visit_new")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {
        "sources": [territory_sources[0].pk],
        "visited_on": timezone.localdate().isoformat(),
        "kind": "in_person",
        "follow_up": "Bring the MRI schedule",
        "form_token": token,
    }

    first = client.post(reverse("referrals:visit_new"), data)
    second = client.post(reverse("referrals:visit_new"), data)

    assert first.status_code == second.status_code == 302
    assert LiaisonVisit.objects.count() == 1
    assert LiaisonVisit.objects.filter(follow_up="Bring the MRI schedule").count() == 1
    # A new form (a new token) saves the next visit.
    page = client.get(reverse("referrals:visit_new")).content.decode()
    data["form_token"] = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    client.post(reverse("referrals:visit_new"), data)
    assert LiaisonVisit.objects.count() == 2


def test_a_gift_over_the_yearly_limit_is_refused_until_confirmed(
    client, liaison, territory_sources
):
    source = territory_sources[0]
    visit_log(
        actor=liaison,
        liaison=liaison,
        sources=[source],
        visited_on=timezone.localdate(),
        gift_value=Decimal("480.00"),
    )
    client.force_login(liaison)
    data = {
        "sources": [source.pk],
        "visited_on": timezone.localdate().isoformat(),
        "kind": "in_person",
        "gift_value": "60.00",
    }

    refused = client.post(reverse("referrals:visit_new"), data)

    assert refused.status_code == 200
    assert "over the $519.00 yearly limit" in refused.context["form"].errors["gift_value"][0]
    assert LiaisonVisit.objects.count() == 1
    client.post(reverse("referrals:visit_new"), {**data, "gift_limit_ok": "on"})
    assert LiaisonVisit.objects.count() == 2


def test_the_visit_form_carries_each_sources_gift_total_for_the_live_warning(
    client, liaison, territory_sources
):
    visit_log(
        actor=liaison,
        liaison=liaison,
        sources=territory_sources[:2],
        visited_on=timezone.localdate(),
        gift_value=Decimal("100.00"),
    )
    client.force_login(liaison)
    html = client.get(reverse("referrals:visit_new")).content.decode()
    assert html.count('data-gift-total="50.00"') == 2
    assert 'data-gift-limit="519.00"' in html
