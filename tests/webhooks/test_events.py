"""The services that change a lead write its webhook event in the same transaction,
with ids, types, stages and times only, never the person's details."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import Role
from apps.leads.choices import ActivityKind, Direction, Outcome
from apps.leads.services import activity_log, lead_assign, lead_stage_change
from apps.pipeline.selectors import stage_get_by_slug
from apps.referrals.services import referral_feedback_record
from apps.webhooks.choices import WebhookEventType
from apps.webhooks.models import WebhookDelivery
from tests.factories import (
    LeadFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db


def events_of(event_type: str) -> list[dict]:
    return [d.payload for d in WebhookDelivery.objects.filter(event_type=event_type)]


def assert_no_personal_details(payload: dict, lead) -> None:
    text = json.dumps(payload).lower()
    person = lead.person
    for value in (person.first_name, person.last_name, person.email, str(person.phone)):
        assert not value or value.lower() not in text


def test_an_intake_lead_is_announced_without_the_persons_details(endpoint, post_intake):
    answer = post_intake(intake_payload())
    assert answer.status_code == 201

    [payload] = events_of(WebhookEventType.LEAD_CREATED)
    from apps.leads.models import Lead

    lead = Lead.objects.get(pk=answer.json()["id"])
    assert payload["type"] == "lead.created"
    assert payload["data"]["lead_id"] == lead.pk
    assert payload["data"]["stage"] == "new"
    assert payload["data"]["service_line"] == "orthopedics"
    assert_no_personal_details(payload, lead)
    assert "message" not in payload["data"]


def test_a_stage_change_is_announced_with_both_stages(endpoint):
    lead = LeadFactory()
    lead_stage_change(lead=lead, to_stage=stage_get_by_slug("contacted"), actor=None)

    [payload] = events_of(WebhookEventType.LEAD_STAGE_CHANGED)
    assert (payload["data"]["from_stage"], payload["data"]["stage"]) == ("new", "contacted")
    assert_no_personal_details(payload, lead)


def test_a_change_that_rolls_back_announces_nothing(endpoint):
    lead = LeadFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        lead_stage_change(lead=lead, to_stage=stage_get_by_slug("contacted"), actor=None)
        raise RuntimeError("the caller fails after the change")

    assert WebhookDelivery.objects.count() == 0


def test_an_assignment_is_announced_with_the_previous_owner(endpoint):
    lead = LeadFactory()
    owner = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    team = TeamFactory()
    TeamMembershipFactory(team=team, user=owner)
    lead_assign(lead=lead, owner=owner, team=team, actor=None)

    [payload] = events_of(WebhookEventType.LEAD_ASSIGNED)
    assert (payload["data"]["owner_id"], payload["data"]["previous_owner_id"]) == (owner.pk, None)


def test_the_first_human_contact_attempt_is_announced_once(endpoint):
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(hours=2))
    caller = UserFactory(roles=[Role.INTAKE_COORDINATOR])
    for minutes_ago in (30, 10):
        activity_log(
            lead=lead,
            kind=ActivityKind.CALL,
            direction=Direction.OUTBOUND,
            outcome=Outcome.REACHED,
            actor=caller,
            occurred_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        )

    [payload] = events_of(WebhookEventType.LEAD_FIRST_RESPONSE)
    assert payload["data"]["first_response_at"] is not None


def test_the_referral_summary_sent_is_announced(endpoint):
    lead = LeadFactory(
        referral_source=ReferralSourceFactory(), created_at=timezone.now() - dt.timedelta(days=3)
    )
    referral_feedback_record(lead=lead, actor=UserFactory(), method="fax")

    [payload] = events_of(WebhookEventType.REFERRAL_FEEDBACK_SENT)
    assert payload["data"]["feedback_method"] == "fax"
    assert payload["data"]["referral_source_id"] == lead.referral_source_id


def test_an_emergency_inquiry_is_announced_by_category_without_its_words(endpoint, post_intake):
    body = intake_payload()
    body["message"] = "I want to kill myself"
    answer = post_intake(body)
    assert answer.status_code == 201

    [payload] = events_of(WebhookEventType.LEAD_SAFETY_FLAGGED)
    from apps.leads.models import Lead

    lead = Lead.objects.get(pk=answer.json()["id"])
    assert payload["data"]["lead_id"] == lead.pk
    assert payload["data"]["flags"] == ["self_harm"]
    assert "kill" not in json.dumps(payload)
    assert_no_personal_details(payload, lead)


def test_an_endpoint_gets_only_the_events_it_wants_while_it_is_on(endpoint):
    from apps.webhooks.services import webhook_endpoint_update

    webhook_endpoint_update(endpoint=endpoint, event_types=[WebhookEventType.LEAD_CREATED])
    lead_stage_change(lead=LeadFactory(), to_stage=stage_get_by_slug("contacted"), actor=None)
    assert WebhookDelivery.objects.count() == 0

    webhook_endpoint_update(endpoint=endpoint, is_active=False)
    LeadFactory()  # a factory row, not the service: nothing either way
    assert WebhookDelivery.objects.count() == 0
