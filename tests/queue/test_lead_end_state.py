"""A merged or closed lead shows its end state, never a running clock, and offers only
the actions that still make sense (the demo showed a merged lead with a green clock and
every action)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.leads.merging import lead_merge
from apps.leads.models import Activity
from apps.leads.services import lead_stage_change
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

QUICK_ACTION_IDS = ["action-call", "action-message", "action-note", "action-task", "action-stage"]


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_closed_lead_shows_when_it_closed_and_offers_a_note_and_a_stage_move_only(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(team=team, owner=coordinator, due_in=-60)  # breached, never answered
    lead_stage_change(
        lead=lead,
        to_stage=stage_get_by_slug("disqualified"),
        actor=coordinator,
        lost_reason="not_a_candidate",
    )
    html = html_of(logged_in(coordinator).get(reverse("queue:lead", args=[lead.pk])))

    assert "data-countdown" not in html and "Breached" not in html
    assert '<span class="badge">Closed</span>' in html and "never answered" in html
    assert 'id="action-note"' in html and 'id="action-stage"' in html
    for hidden in ("action-call", "action-message", "action-task", "claim-button"):
        assert f'id="{hidden}"' not in html


def test_a_merged_lead_points_to_its_survivor_and_offers_no_action(
    logged_in, coordinator, team, routed_lead
):
    person = PersonFactory()
    survivor = routed_lead(team=team, owner=coordinator, person=person)
    duplicate = routed_lead(team=team, owner=coordinator, person=person, due_in=600)
    lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)

    html = html_of(logged_in(coordinator).get(reverse("queue:lead", args=[duplicate.pk])))

    assert "data-countdown" not in html and "left</" not in html
    assert '<span class="badge">Merged</span>' in html
    assert reverse("queue:lead", args=[survivor.pk]) in html
    for hidden in QUICK_ACTION_IDS:
        assert f'id="{hidden}"' not in html
    assert "Merge into this lead" not in html


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("queue:lead_call", {"call-direction": "outbound", "call-outcome": "reached"}),
        ("queue:lead_note", {"note-body": "Spoke to the patient."}),
        ("queue:lead_task", {"task-task_type": "follow_up", "task-due_at": "2030-01-01T10:00"}),
    ],
)
def test_actions_posted_to_a_merged_lead_are_refused_and_nothing_is_saved(
    logged_in, coordinator, team, routed_lead, url_name, data
):
    person = PersonFactory()
    survivor = routed_lead(team=team, owner=coordinator, person=person)
    duplicate = routed_lead(team=team, owner=coordinator, person=person)
    lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)
    before = Activity.objects.count()

    response = logged_in(coordinator).post(
        reverse(url_name, args=[duplicate.pk]), data, HTTP_HX_REQUEST="true"
    )

    assert f"merged into lead #{survivor.pk}" in html_of(response)
    assert Activity.objects.count() == before


def test_a_follow_up_on_a_closed_lead_is_refused_by_the_service_too(coordinator, team, routed_lead):
    from django.core.exceptions import ValidationError

    from apps.leads.services import activity_log

    lead = routed_lead(team=team, owner=coordinator)
    lead_stage_change(
        lead=lead,
        to_stage=stage_get_by_slug("disqualified"),
        actor=coordinator,
        lost_reason="not_a_candidate",
    )
    lead.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        activity_log(
            lead=lead,
            kind="task",
            actor=coordinator,
            due_at=timezone.now() + dt.timedelta(days=1),
        )
