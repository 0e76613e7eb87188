"""Routing on real Celery processes against Redis: a worker routes a lead queued when
intake commits, and beat's sweep routes a lead whose publish failed within one sweep."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.leads.choices import ActivityKind
from apps.leads.models import Activity, Lead
from apps.routing.services import lead_routing_queue
from tests.celery_processes import broker_purge, celery_beat, celery_worker
from tests.factories import LeadFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.routing.factories import RoutingRuleFactory
from tests.routing.test_publish import closed_port, run_probe

pytestmark = [pytest.mark.celery_worker, pytest.mark.usefixtures("transactional_db")]


def wait_for_owner(lead: Lead, timeout: float) -> Lead:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lead.refresh_from_db()
        if lead.owner_id is not None:
            return lead
        time.sleep(0.2)
    raise AssertionError(f"lead #{lead.pk} has no owner after {timeout}s")


@pytest.fixture
def member():
    team = TeamFactory(name="Cardiology intake", slug="cardio-intake")
    RoutingRuleFactory(target_team=team)
    user = UserFactory(first_name="Ana", last_name="Lopez")
    TeamMembershipFactory(team=team, user=user)
    return user


def test_a_real_worker_routes_a_lead_queued_at_commit(tmp_path, member):
    broker_purge()
    with celery_worker(tmp_path):
        with transaction.atomic():
            lead = LeadFactory()
            lead_routing_queue(lead_id=lead.pk)

        lead = wait_for_owner(lead, timeout=30)

    assert lead.owner == member
    entry = Activity.objects.get(lead=lead, kind=ActivityKind.ASSIGNMENT)
    assert entry.details["trigger"] == "intake"
    assert "Chosen: Ana Lopez." in entry.body


def test_real_beat_sweep_routes_a_lead_whose_publish_failed(tmp_path, member):
    broker_purge()
    # Saved by intake two minutes ago while the broker was down: no task was published.
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(minutes=2))
    fast_sweep = {"ROUTING_SWEEP_SECONDS": "1"}

    with celery_worker(tmp_path, env=fast_sweep), celery_beat(tmp_path, env=fast_sweep):
        lead = wait_for_owner(lead, timeout=45)

    assert lead.owner == member
    entry = Activity.objects.get(lead=lead, kind=ActivityKind.ASSIGNMENT)
    assert entry.details["trigger"] == "sweep"
    broker_purge()


def test_a_lead_whose_publish_failed_is_routed_by_the_next_sweep(tmp_path, member):
    """The broker was out when intake saved the lead; now it is back, and the lead is
    routed by the next sweep (every ROUTING_SWEEP_SECONDS, 10 s), not a minute later."""
    broker_purge()
    with celery_worker(tmp_path), celery_beat(tmp_path):
        lead = LeadFactory()
        # Intake's commit in a web process that finds the broker out: the publish fails.
        completed, _ = run_probe(f"redis://127.0.0.1:{closed_port()}/0", [lead.pk])
        assert f"lead {lead.pk} is left to the routing sweep" in completed.stderr

        # One sweep interval, and a few seconds for the sweep task to run on a busy machine.
        lead = wait_for_owner(lead, timeout=settings.ROUTING_SWEEP_SECONDS + 5)

    assert lead.owner == member
    entry = Activity.objects.get(lead=lead, kind=ActivityKind.ASSIGNMENT)
    assert entry.details["trigger"] == "sweep"
    broker_purge()


def _worker_backends() -> set[int]:
    """PostgreSQL backends connected to the test database, other than this test's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_worker_keeps_its_database_connection_between_tasks(tmp_path, member):
    """Celery's Django fixup would open a new connection for every task; the worker
    keeps one the way web processes do (CONN_MAX_AGE), health-checked before reuse."""
    broker_purge()
    leads = [LeadFactory() for _ in range(3)]
    backends = []
    # Connections left by earlier tests of this run (a live server's thread) are not the
    # worker's: count only those that appear once it runs.
    earlier = _worker_backends()
    with celery_worker(tmp_path, env={"CONN_MAX_AGE": "300"}):
        for lead in leads:
            with transaction.atomic():
                lead_routing_queue(lead_id=lead.pk)
            wait_for_owner(lead, timeout=30)
            backends.append(_worker_backends() - earlier)

    assert len(backends[0]) == 1  # the worker's one process, still connected
    assert backends[0] == backends[1] == backends[2]
