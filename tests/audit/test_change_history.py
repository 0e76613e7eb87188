"""The change history (issue 14): every change to the tracked models is copied by
PostgreSQL triggers with who made it, whatever the path: the staff API, the admin site,
intake, a Celery task, a management command, raw SQL."""

import json

import pghistory
import pytest
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.accounts.models import User, UserRole
from apps.intake.services import intake_key_create
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.routing.tasks import route_lead
from apps.sla.models import ResponsePolicy
from apps.teams.models import TeamMembership
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    LocationFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LeadEvent = Lead.pgh_event_model


@pytest.fixture
def team(db):
    return TeamFactory(name="Ortho intake", slug="ortho-intake")


@pytest.fixture
def coordinator(team):
    user = UserFactory(
        username="avery", first_name="Avery", last_name="Stone", roles=[Role.INTAKE_COORDINATOR]
    )
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def lead(team, coordinator):
    return LeadFactory(team=team, owner=coordinator, urgency="routine")


def test_a_change_through_the_staff_api_names_the_token_user_and_role(coordinator, lead):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=coordinator)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.patch(
        reverse("api-lead-detail", args=[lead.pk]), {"urgency": "urgent"}, format="json"
    )

    assert response.status_code == 200, response.content
    event = LeadEvent.objects.filter(pgh_obj=lead, pgh_label="update").latest("pgh_id")
    assert event.urgency == "urgent"
    assert event.pgh_context["user"] == coordinator.pk
    assert event.pgh_context["roles"] == [Role.INTAKE_COORDINATOR]
    assert event.pgh_context["via"] == "api"
    assert event.pgh_context["url"] == f"/api/v1/leads/{lead.pk}/"


def test_a_change_in_the_admin_site_names_the_admin(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    policy = ResponsePolicy.objects.create(service_line=ServiceLineFactory(), target_minutes=60)
    client.force_login(admin)
    form = {k: ("" if v is None else v) for k, v in model_to_dict(policy).items()}

    response = client.post(
        reverse("admin:sla_responsepolicy_change", args=[policy.pk]),
        {**form, "target_minutes": 30, "_save": "Save"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = ResponsePolicy.pgh_event_model.objects.filter(pgh_obj=policy).latest("pgh_id")
    assert (event.pgh_label, event.target_minutes) == ("update", 30)
    assert event.pgh_context["user"] == admin.pk
    assert event.pgh_context["roles"] == ["superuser"]
    assert event.pgh_context["url"].startswith("/admin/")


def test_intake_names_the_intake_key_and_no_patient_data(api_client):
    _key, raw_key = intake_key_create(name="Website contact form")
    ServiceLineFactory(slug="orthopedics")
    LocationFactory(slug="riverside")
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    response = api_client.post(
        reverse("intake"),
        {
            "lead_type": "patient",
            "channel": "web_form",
            "service_line": "orthopedics",
            "location": "riverside",
            "person": {"first_name": "Dana", "last_name": "Example", "phone": "(312) 555-0142"},
            "consent": {"phone": True, "text": "You may call me about my inquiry."},
            "message": "Knee pain for months.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["id"])
    created = LeadEvent.objects.get(pgh_obj=lead, pgh_label="insert")
    person_created = Person.pgh_event_model.objects.get(pgh_obj=lead.person, pgh_label="insert")
    consent = Consent.pgh_event_model.objects.get(person_id=lead.person_id)
    for event in (created, person_created, consent):
        assert event.pgh_context["intake_key"] == "Website contact form"
        assert event.pgh_context["user"] is None
        assert event.pgh_context["via"] == "intake"
    context_text = json.dumps(created.pgh_context)
    for patient_value in ("Dana", "Example", "555", "Knee"):
        assert patient_value not in context_text


def test_a_celery_task_names_itself(team):
    team.is_fallback = True
    team.save(update_fields=["is_fallback"])
    lead = LeadFactory(team=None, owner=None, routed_at=None)

    route_lead(lead.pk)  # the task function itself, as a worker calls it

    lead.refresh_from_db()
    assert lead.team_id == team.pk
    event = LeadEvent.objects.filter(pgh_obj=lead, pgh_label="update").latest("pgh_id")
    assert event.team_id == team.pk
    assert event.pgh_context["task"] == "apps.routing.tasks.route_lead"
    assert "user" not in event.pgh_context


def test_a_raw_sql_update_is_captured(lead):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE leads_lead SET payer = 'Acme Health' WHERE id = %s", [lead.pk])
    with pghistory.context(command="psql-by-hand"), connection.cursor() as cursor:
        cursor.execute("UPDATE leads_lead SET urgency = 'urgent' WHERE id = %s", [lead.pk])

    first, second = LeadEvent.objects.filter(pgh_obj=lead, pgh_label="update").order_by("pgh_id")
    # Outside the app nothing names who did it, but the change itself is kept.
    assert (first.payer, first.pgh_context) == ("Acme Health", None)
    assert (second.urgency, second.pgh_context) == ("urgent", {"command": "psql-by-hand"})


def test_bulk_writes_are_captured_row_by_row(lead):
    Activity.objects.bulk_create(
        [Activity(lead=lead, kind="note", body=f"note {n}") for n in range(3)]
    )
    Lead.objects.filter(pk=lead.pk).update(urgency="soon")

    assert Activity.pgh_event_model.objects.filter(lead_id=lead.pk, pgh_label="insert").count() == 3
    assert LeadEvent.objects.filter(pgh_obj=lead, pgh_label="update").get().urgency == "soon"


def test_a_save_that_changes_nothing_but_updated_at_writes_no_event(lead):
    lead.save()
    assert not LeadEvent.objects.filter(pgh_obj=lead, pgh_label="update").exists()


def test_team_membership_and_roles_given_and_taken_away_are_recorded(team):
    user = UserFactory(username="casey")
    with pghistory.context(command="staffing"):
        membership = TeamMembershipFactory(team=team, user=user)
        membership_id = membership.pk
        user.groups.add(*user.groups.model.objects.filter(name=Role.MANAGER))
        user.groups.clear()
        membership.delete()

    labels = list(
        UserRole.pgh_event_model.objects.filter(user_id=user.pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["role.add", "role.remove"]
    memberships = TeamMembership.pgh_event_model.objects.filter(pgh_obj_id=membership_id)
    assert sorted(memberships.values_list("pgh_label", flat=True)) == ["delete", "insert"]
    assert all(e.pgh_context == {"command": "staffing"} for e in memberships)
    user.is_active = False
    user.save()
    assert User.pgh_event_model.objects.filter(pgh_obj=user).latest("pgh_id").is_active is False


def test_history_rows_cannot_be_rewritten_or_deleted(lead):
    ActivityFactory(lead=lead)
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        LeadEvent.objects.filter(pgh_obj=lead).update(urgency="urgent")
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        Activity.pgh_event_model.objects.filter(lead_id=lead.pk).delete()


def test_a_management_command_names_itself(monkeypatch):
    import manage

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-1")

    with manage.command_history_context(["manage.py", "createsuperuser"]):
        call_command("createsuperuser", "--noinput", "--username", "ops", "--email", "o@x.test")

    event = User.pgh_event_model.objects.get(username="ops", pgh_label="insert")
    assert event.pgh_context == {"command": "createsuperuser"}


def test_serving_and_schema_commands_run_without_a_command_context():
    import manage

    for command in ("runserver", "migrate", "test"):
        assert not isinstance(
            manage.command_history_context(["manage.py", command]), pghistory.context
        )
