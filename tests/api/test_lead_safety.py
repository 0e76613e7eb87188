"""The staff API's lead detail says whether the lead's inquiry read like an emergency."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.safety.services import lead_safety_screen
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_flagged_lead_shows_its_latest_category_words_and_time(client_for, manager):
    lead = LeadFactory(message="routine knee consult")
    lead_safety_screen(lead=lead, inquiry=None, message="my chest hurts")
    latest = lead_safety_screen(lead=lead, inquiry=None, message="now I can't breathe")

    body = client_for(manager).get(reverse("api-lead-detail", args=[lead.pk])).json()

    safety = body["safety"]
    assert (safety["category"], safety["matched_words"]) == ("breathing", ["can't breathe"])
    assert dt.datetime.fromisoformat(safety["flagged_at"]) == latest.flagged_at


def test_an_unflagged_lead_shows_null(client_for, manager):
    lead = LeadFactory(message="routine knee consult")

    body = client_for(manager).get(reverse("api-lead-detail", args=[lead.pk])).json()

    assert body["safety"] is None
