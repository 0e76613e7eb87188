"""The lead page's History tab (issue 14): every change to the lead, its person, their
consents and its timeline in plain words, scoped like the lead page and recorded in the
access log."""

import pghistory
import pgtrigger
import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.audit.models import AccessLogEntry
from apps.leads.services import activity_log
from apps.people.models import Consent
from tests.factories import ConsentFactory, PersonFactory, ReferralSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def history_url(lead) -> str:
    return reverse("queue:lead_history", args=[lead.pk])


@pytest.fixture
def lead(team, coordinator, routed_lead):
    return routed_lead(team=team, owner=coordinator, urgency="routine")


def test_history_tab_says_what_changed_in_plain_words(logged_in, coordinator, lead):
    client = logged_in(coordinator)
    client.post(reverse("queue:lead_stage", args=[lead.pk]), {})  # nothing changes
    with pghistory.context(user=coordinator.pk, roles=[Role.INTAKE_COORDINATOR]):
        lead.urgency = "urgent"
        lead.save(update_fields=["urgency", "updated_at"])

    html = client.get(history_url(lead)).content.decode()

    assert "Lead changed" in html
    assert '<span class="history-field">Urgency:</span>' in html
    assert '<span class="history-old">Routine</span>' in html
    assert '<span class="history-new">Urgent</span>' in html
    assert "by Avery Stone (intake coordinator)" in html


def test_history_covers_the_person_their_consents_and_the_timeline(logged_in, coordinator, lead):
    with pghistory.context(user=coordinator.pk, roles=[Role.INTAKE_COORDINATOR]):
        person = lead.person
        person.phone = "+13125550199"
        person.save(update_fields=["phone"])
        ConsentFactory(person=person, channel="sms", status="withdrawn", wording="")
        activity_log(lead=lead, kind="note", actor=coordinator, body="Prefers mornings.")

    html = logged_in(coordinator).get(history_url(lead)).content.decode()

    assert "Person changed" in html and "+13125550199" in html
    assert "consent: SMS, care coordination" in html and "Withdrawn" in html
    assert "Timeline: note created" in html


def test_opening_the_history_is_recorded_in_the_access_log(logged_in, coordinator, lead):
    logged_in(coordinator).get(history_url(lead))

    entry = AccessLogEntry.objects.get(what="lead history")
    assert entry.user_id == coordinator.pk
    assert entry.lead_ids == [lead.pk] and entry.person_ids == [lead.person_id]
    assert entry.path == history_url(lead)


def test_a_liaison_gets_no_history_even_of_their_own_sources_leads(logged_in, team, routed_lead):
    liaison = UserFactory(username="lee", roles=[Role.LIAISON])
    lead = routed_lead(team=team, referral_source=ReferralSourceFactory(owning_liaison=liaison))

    response = logged_in(liaison).get(history_url(lead))

    assert response.status_code == 404
    assert not AccessLogEntry.objects.filter(what="lead history").exists()


def test_another_teams_coordinator_gets_404(logged_in, other_team, lead):
    outsider = UserFactory(username="drew", roles=[Role.INTAKE_COORDINATOR])
    other_team.memberships.create(user=outsider)

    assert logged_in(outsider).get(history_url(lead)).status_code == 404


def _changes(lead, coordinator, count: int) -> None:
    with pghistory.context(user=coordinator.pk, roles=[Role.INTAKE_COORDINATOR]):
        for n in range(count):
            lead.urgency = "urgent" if n % 2 == 0 else "routine"
            lead.payer = f"Payer {n}"
            lead.save(update_fields=["urgency", "payer", "updated_at"])
            activity_log(lead=lead, kind="note", actor=coordinator, body=f"Note {n}")
            ConsentFactory(person=lead.person)


# Session, user, role groups, team ids, the lead (with its person), the events of the
# lead, its people, their consents and its timeline entries, the names of what the
# changes point at (service lines, stages, users, with the people who made them), the
# access log entry, and the top bar's alert badge.
HISTORY_QUERIES = 14


@pytest.mark.parametrize("count", [1, 25])
def test_history_tab_runs_a_fixed_number_of_queries_however_long_the_history(
    logged_in, coordinator, lead, django_assert_num_queries, count
):
    _changes(lead, coordinator, count)
    client = logged_in(coordinator)

    client.get(history_url(lead))  # the first request after signing in writes the session
    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(history_url(lead))

    assert response.content.decode().count('class="history-entry') >= 3 * count
    assert Consent.objects.filter(person=lead.person).count() == count


def test_a_change_to_a_row_older_than_the_history_says_so(
    logged_in, coordinator, team, routed_lead
):
    with pgtrigger.ignore("people.Person:insert_insert"):
        person = PersonFactory()  # saved before the history began: no snapshot of it
    lead = routed_lead(team=team, owner=coordinator, person=person)
    with pghistory.context(user=coordinator.pk, roles=[Role.INTAKE_COORDINATOR]):
        person.postal_code = "60601"
        person.save(update_fields=["postal_code"])

    html = logged_in(coordinator).get(history_url(lead)).content.decode()

    assert "Person changed" in html
    assert "what it changed is not on record" in html
