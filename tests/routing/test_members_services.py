"""member_routing_profile_update: what routing reads of a member, changed all at once."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.leads.choices import Channel, LeadType
from apps.routing.decision import LeadFacts
from apps.routing.member_services import member_routing_profile_update
from apps.routing.selectors import routing_dry_run
from tests.factories import ServiceLineFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


def update(member, actor, **overrides):
    fields = {
        "languages": member.languages,
        "service_lines": [],
        "locations": [],
        "max_open_leads": member.max_open_leads,
        "on_leave": member.on_leave,
        "is_on_shift": member.is_on_shift,
        "teams": list(member.teams.all()),
    }
    fields.update(overrides)
    return member_routing_profile_update(member=member, actor=actor, **fields)


def test_a_member_given_spanish_is_chosen_for_a_spanish_lead(staff, manager, fallback_team):
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    line = ServiceLineFactory(name="Cardiology", slug="cardiology")
    RoutingRuleFactory(
        target_team=team, service_lines=[line], match_language=True, relax_after_minutes=None
    )
    english = staff(team, first_name="Eli", last_name="Park")
    facts = LeadFacts(
        service_line_id=line.pk, service_line_name=line.name, lead_type=LeadType.PATIENT,
        channel=Channel.WEB_FORM, language="es",
    )  # fmt: skip
    assert routing_dry_run(facts=facts).owner is None  # nobody speaks Spanish yet

    update(english, manager, languages=["en", "es"])

    assert routing_dry_run(facts=facts).owner == english


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_open_leads": -1}, "max_open_leads"),
        ({"max_open_leads": 1000}, "max_open_leads"),
        ({"languages": ["Spanish"]}, "languages"),
    ],
)
def test_bad_values_are_refused_by_field(staff, manager, overrides, field):
    member = staff(TeamFactory())

    with pytest.raises(ValidationError) as refused:
        update(member, manager, on_leave=True, **overrides)

    assert field in refused.value.message_dict
    member.refresh_from_db()
    assert member.on_leave is False


def test_changes_are_listed_in_words_and_recorded_once(staff, manager):
    member = staff(TeamFactory(name="Spine", slug="spine"), max_open_leads=15)
    before = timezone.now() - dt.timedelta(seconds=1)

    changes = update(member, manager, max_open_leads=10, is_on_shift=False)

    assert changes == ["capacity 15 → 10", "on shift yes → no"]
    entry = LogEntry.objects.get()
    assert entry.action_time >= before
    assert entry.get_change_message() == (
        "Routing profile changed by Maria Manager: capacity 15 → 10; on shift yes → no."
    )
    assert member.max_open_leads == 10  # the caller's object follows the saved row


def test_the_same_languages_in_another_order_are_no_change(staff, manager):
    member = staff(TeamFactory(), languages=["es", "en"])

    changes = update(member, manager, languages=["en", "es"])

    assert changes == []
    member.refresh_from_db()
    assert member.languages == ["es", "en"]
    assert not LogEntry.objects.exists()


def test_new_languages_follow_the_ones_the_member_had(staff, manager):
    member = staff(TeamFactory(), languages=["es", "en"])

    update(member, manager, languages=["en", "vi", "es"])

    member.refresh_from_db()
    assert member.languages == ["es", "en", "vi"]
