"""manage.py seed_demo: a small seed makes a consistent, believable hospital.

The 300-lead seed runs once per module inside a transaction that is rolled back at the
end; each test runs in its own savepoint on top of it, so tests that reseed or reset
leave nothing behind for the next one.
"""

import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q
from django.test import RequestFactory  # django-axes counts sign-ins by request
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.demo.seeding.run import demo_seed
from apps.facilities.models import BusinessHours, Holiday, Location
from apps.intake.models import IntakeKey, intake_key_hash
from apps.leads.choices import Channel, LeadType, Urgency
from apps.leads.first_response import first_response_filter
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import PipelineStage, StageKind
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.validators import npi_is_valid
from apps.referrals.models import LiaisonTerritory, LiaisonVisit, ReferralSourceHealth
from apps.routing.models import RoutingRule
from apps.routing.services import lead_route, routing_sweep
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team

NOW = dt.datetime(2025, 3, 14, 15, 0, tzinfo=dt.UTC)
SEED = 11
LEADS = 300
SERVICE_LINES = {
    "orthopedics",
    "cardiology",
    "oncology",
    "imaging",
    "behavioral-health",
    "womens-health",
    "bariatrics",
    "primary-care",
}


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", no_progress=True, stdout=out, **options)
    return out.getvalue()


def _fingerprint() -> str:
    """What a person would notice if two seeds differed: who, what, which stage."""
    rows = Lead.objects.order_by("created_at", "id").values_list(
        "person__first_name",
        "person__last_name",
        "lead_type",
        "channel",
        "urgency",
        "service_line__slug",
        "location__slug",
        "stage__slug",
        "created_at",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = _seed(seed=SEED, leads=LEADS, now=NOW)
            yield {"output": output, "fingerprint": _fingerprint()}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_every_role_has_a_user_and_the_admin_is_a_superuser(demo):
    for role in Role:
        assert User.objects.filter(groups__name=role.value, is_active=True).exists(), role
    assert User.objects.filter(groups__name=Role.ADMIN, is_superuser=True, is_staff=True).exists()
    assert User.objects.filter(groups__isnull=False).distinct().count() >= 6
    assert User.objects.filter(languages__contains=["es"]).exists()
    assert User.objects.filter(is_on_shift=True).count() >= 6


def test_demo_users_can_log_in_with_the_documented_password(demo, client):
    assert client.login(
        request=RequestFactory().post("/"), username="coordinator", password="leadcrm-demo"
    )
    assert (
        Group.objects.get(name=Role.INTAKE_COORDINATOR)
        .user_set.filter(username="coordinator")
        .exists()
    )


def test_three_locations_in_two_time_zones_with_hours_and_holidays(demo):
    assert Location.objects.count() == 3
    assert Location.objects.values("time_zone").distinct().count() == 2
    for location in Location.objects.all():
        assert BusinessHours.objects.filter(location=location, weekday__lt=5).count() == 5
        assert Holiday.objects.filter(location=location).count() >= 3


def test_the_eight_service_lines_with_questions_and_targets(demo):
    lines = ServiceLine.objects.annotate(questions=Count("qualification_questions"))
    assert {line.slug for line in lines} == SERVICE_LINES
    for line in lines:
        assert line.questions >= 2
        assert line.urgent_response_minutes < line.soon_response_minutes
        assert line.soon_response_minutes < line.routine_response_minutes


def test_teams_cover_every_line_and_location_with_exactly_one_fallback(demo):
    assert Team.objects.filter(is_fallback=True).count() == 1
    for team in Team.objects.all():
        assert team.team_lead is not None
        assert team.members.exists()
    covered = Team.objects.filter(is_fallback=False)
    assert set(covered.values_list("service_lines__slug", flat=True)) == SERVICE_LINES
    assert set(covered.values_list("locations__id", flat=True)) == set(
        Location.objects.values_list("id", flat=True)
    )


def test_sixty_plus_sources_and_every_provider_npi_is_valid(demo):
    assert ReferralSource.objects.count() >= 60
    providers = ReferralSource.objects.filter(kind=ReferralSourceKind.PROVIDER)
    assert providers.count() >= 30
    assert all(npi_is_valid(npi) for npi in providers.values_list("npi", flat=True))
    assert providers.filter(parent__kind=ReferralSourceKind.PRACTICE).exists()
    kinds = set(ReferralSource.objects.values_list("kind", flat=True))
    assert {"practice", "case_manager", "discharge_planner", "employer", "community_partner"} <= (
        kinds
    )
    assert not ReferralSource.objects.filter(owning_liaison__isnull=True).exists()
    assert not ReferralSource.objects.filter(territory="").exists()


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("channel", Channel.values),
        ("lead_type", LeadType.values),
        ("urgency", Urgency.values),
        ("stage__slug", DefaultStage.values),
        ("service_line__slug", sorted(SERVICE_LINES)),
    ],
)
def test_every_value_of_each_dimension_is_present(demo, field, values):
    present = set(Lead.objects.values_list(field, flat=True).distinct())
    assert set(values) <= present


def test_leads_spread_over_every_location_and_the_last_180_days(demo):
    assert set(Location.objects.values_list("id", flat=True)) <= set(
        Lead.objects.values_list("location_id", flat=True)
    )
    assert Lead.objects.count() == LEADS
    assert not Lead.objects.filter(created_at__gt=NOW).exists()
    assert not Lead.objects.filter(created_at__lt=NOW - dt.timedelta(days=181)).exists()
    assert Lead.objects.filter(created_at__lt=NOW - dt.timedelta(days=150)).exists()
    assert not Activity.objects.filter(occurred_at__gt=NOW).exists()


def test_each_leads_stage_changes_replay_to_its_current_stage(demo):
    changes: dict[int, list[Activity]] = {}
    for change in Activity.objects.filter(kind="stage_change").order_by("occurred_at", "id"):
        changes.setdefault(change.lead_id, []).append(change)
    new = PipelineStage.objects.get(slug=DefaultStage.NEW).pk
    for lead in Lead.objects.all():
        journey = changes.get(lead.pk, [])
        current = new
        for change in journey:
            assert change.from_stage_id == current, lead.pk
            current = change.to_stage_id
        assert current == lead.stage_id, lead.pk
        if journey:
            assert lead.stage_entered_at == journey[-1].occurred_at


def test_closed_at_is_set_on_won_and_lost_leads_only(demo):
    closed_kinds = [StageKind.WON, StageKind.LOST]
    assert not Lead.objects.filter(stage__kind__in=closed_kinds, closed_at__isnull=True).exists()
    assert (
        not Lead.objects.exclude(stage__kind__in=closed_kinds)
        .filter(closed_at__isnull=False)
        .exists()
    )


def test_stage_fields_match_the_stage(demo):
    completed = Lead.objects.filter(stage__slug=DefaultStage.COMPLETED)
    assert completed.exists()
    assert not completed.filter(Q(converted_at__isnull=True) | Q(appointment_at__isnull=True))
    assert not Lead.objects.filter(stage__kind=StageKind.LOST, lost_reason="").exists()
    assert not Lead.objects.exclude(stage__kind=StageKind.LOST).exclude(lost_reason="").exists()
    assert not Lead.objects.filter(
        stage__slug=DefaultStage.SCHEDULED, appointment_at__isnull=True
    ).exists()
    not_ready = Lead.objects.filter(stage__slug=DefaultStage.NOT_READY)
    assert not_ready.exists()
    assert not not_ready.filter(recontact_on__isnull=True).exists()
    qualified = Lead.objects.filter(stage__slug=DefaultStage.QUALIFIED)
    assert not qualified.filter(qualification_answers={}).exists()


def test_first_response_is_the_first_activity_that_stops_the_clock(demo):
    assert not Lead.objects.filter(stage__slug=DefaultStage.NEW, first_response_at__isnull=False)
    worked = Lead.objects.exclude(stage__slug=DefaultStage.NEW).annotate(
        first_stop=Min(
            "activities__occurred_at", filter=first_response_filter(prefix="activities__")
        )
    )
    assert worked.filter(first_response_at__isnull=False).exists()
    # Leads only ever tried (no answer, voicemail) have their clock still running.
    assert worked.filter(
        first_response_at__isnull=True, stage__slug=DefaultStage.ATTEMPTING_CONTACT
    ).exists()
    for lead in worked:
        assert lead.first_stop == lead.first_response_at, lead.pk
        if lead.first_response_at is not None:
            assert lead.first_response_at >= lead.created_at


def test_leads_left_in_a_queue_get_an_owner_within_one_sweep_once_someone_has_room(demo):
    # Issue 16: the demo wrote these leads as routing leaves a waiting lead but without
    # its wait, so the sweep never offered them to anyone (owners_found: 0 every 10 s)
    # while the dry run picked an on-shift coordinator with room at once.
    waiting = Lead.objects.filter(
        owner__isnull=True, routed_at__isnull=False, closed_at__isnull=True
    )
    assert waiting.exists()
    assert not waiting.filter(routing_wait__isnull=True).exists()
    User.objects.filter(groups__name=Role.INTAKE_COORDINATOR).update(max_open_leads=1000)

    result = routing_sweep()

    assert result["owners_found"] == result["retried"] > 0
    assert not waiting.exists()


def test_granted_consents_have_wording_and_some_are_withdrawn(demo):
    assert Consent.objects.filter(status="granted").count() >= LEADS // 2
    assert not Consent.objects.filter(status="granted", wording="").exists()
    assert Consent.objects.filter(purpose="marketing").exists()


def test_caregivers_are_linked_to_the_patient_of_their_lead(demo):
    caregiver_leads = Lead.objects.filter(lead_type=LeadType.CAREGIVER)
    assert caregiver_leads.exists()
    for lead in caregiver_leads.select_related("caregiver"):
        assert lead.caregiver.patient_id == lead.person_id


def test_seeded_leads_carry_their_peoples_names_for_the_queue_search(demo):
    # The load runs without the search-names trigger and writes the names itself: they
    # must be what the trigger would have written (PostgreSQL's lower() of each name).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE l.caregiver_id IS NOT NULL),
                   count(*) FILTER (WHERE
                       l.patient_last_name_lower <> lower(p.last_name)
                    OR l.patient_first_name_lower <> lower(p.first_name)
                    OR l.caregiver_last_name_lower <> coalesce(lower(c.last_name), '')
                    OR l.caregiver_first_name_lower <> coalesce(lower(c.first_name), ''))
              FROM leads_lead l
              JOIN people_person p ON p.id = l.person_id
              LEFT JOIN people_person c ON c.id = l.caregiver_id
            """
        )
        with_caregiver, wrong = cursor.fetchone()
    assert with_caregiver > 0
    assert wrong == 0


def test_people_are_reachable_and_phones_unique(demo):
    inquirers = Person.objects.filter(Q(leads__isnull=False, caregivers__isnull=True))
    assert not inquirers.filter(phone="", email="").exists()
    phones = Person.objects.exclude(phone="").values("phone").annotate(n=Count("id"))
    assert not phones.filter(n__gt=1).exists()


def test_attribution_is_recorded_for_web_leads(demo):
    web = Lead.objects.filter(channel=Channel.WEB_FORM)
    assert web.exclude(utm_source="").exists()
    assert web.exclude(landing_page="").exists()


def test_two_nurture_tracks_with_steps_one_switched_on(demo):
    from apps.nurture.models import NurtureTrack

    tracks = {t.name: t for t in NurtureTrack.objects.prefetch_related("steps")}
    assert set(tracks) == {"Orthopedics: not ready yet", "Bariatrics: seminar invitation"}
    assert [t.is_active for t in tracks.values()].count(True) == 1
    care = tracks["Orthopedics: not ready yet"]
    assert [s.action for s in care.steps.all()] == ["email", "sms", "call_task"]
    for track in tracks.values():
        for step in track.steps.all():
            step.full_clean()  # the merge fields and the channel's fields are valid


def test_the_output_lists_the_logins_and_an_intake_key_that_works(demo):
    output = demo["output"]
    for username in ("admin", "manager", "liaison", "coordinator"):
        assert f"  {username} " in output
    assert "leadcrm-demo" in output
    raw_key = output.split("export LEADCRM_INTAKE_KEY='")[1].split("'")[0]
    assert IntakeKey.objects.filter(key_hash=intake_key_hash(raw_key), is_active=True).exists()


def test_if_empty_does_nothing_when_leads_exist(demo):
    counts = (Lead.objects.count(), Activity.objects.count(), IntakeKey.objects.count())

    output = _seed(seed=SEED + 1, leads=50, if_empty=True)

    assert "left everything as is" in output
    assert (Lead.objects.count(), Activity.objects.count(), IntakeKey.objects.count()) == counts


def test_the_same_seed_gives_the_same_leads(demo):
    _seed(seed=SEED, leads=LEADS, now=NOW, reset=True)

    assert _fingerprint() == demo["fingerprint"]


def test_another_seed_gives_other_leads(demo):
    _seed(seed=SEED + 1, leads=LEADS, now=NOW, reset=True)

    assert _fingerprint() != demo["fingerprint"]


def test_seeding_again_without_reset_adds_leads_and_keeps_reference_data(demo):
    users, sources = User.objects.count(), ReferralSource.objects.count()

    _seed(seed=SEED, leads=40, now=NOW)

    assert Lead.objects.count() == LEADS + 40
    assert (User.objects.count(), ReferralSource.objects.count()) == (users, sources)
    assert Team.objects.filter(is_fallback=True).count() == 1


def _schema(table: str) -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = {row[0] for row in cursor.fetchall()}
    return indexes, constraints


def _keys_pointing_at(tables: list[str]) -> set[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND confrelid = ANY(%s::regclass[])",
            [tables],
        )
        return set(cursor.fetchall())


def test_the_big_load_path_puts_every_index_and_foreign_key_back(demo):
    tables = ["leads_lead", "leads_activity", "people_person", "people_consent"]
    before = {table: _schema(table) for table in tables}
    keys_before = _keys_pointing_at(tables)
    # Other apps' tables point at the loaded ones (and lose those keys while it runs).
    assert {table for table, _, _ in keys_before} - set(tables)

    demo_seed(seed=3, leads=120, reset=True, now=NOW, rebuild_indexes=True, progress=False)

    assert {table: _schema(table) for table in tables} == before
    assert _keys_pointing_at(tables) == keys_before
    assert Lead.objects.count() == 120
    # New rows get ids after the loaded ones: the sequences were moved on.
    newest = Lead.objects.aggregate(Max("id"))["id__max"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('leads_lead', 'id'))")
        assert cursor.fetchone()[0] == newest + 1


def test_the_big_load_path_on_top_of_existing_leads_keeps_them_and_the_schema(demo):
    tables = ["leads_lead", "leads_activity", "people_person", "people_consent"]
    before = {table: _schema(table) for table in tables}
    keys_before = _keys_pointing_at(tables)
    oldest = Lead.objects.order_by("id").values_list("id", "person__last_name").first()

    demo_seed(seed=4, leads=60, now=NOW, rebuild_indexes=True, progress=False)

    assert Lead.objects.count() == LEADS + 60
    assert Lead.objects.order_by("id").values_list("id", "person__last_name").first() == oldest
    assert {table: _schema(table) for table in tables} == before
    assert _keys_pointing_at(tables) == keys_before


@pytest.mark.parametrize("rebuild_indexes", [False, True])
def test_seeded_rows_are_the_past_and_what_happens_to_them_later_is_history(demo, rebuild_indexes):
    # The load writes no change-history events (they doubled a big seed's writes); the
    # triggers are back on afterwards, so a later change to a seeded lead is recorded.
    demo_seed(seed=5, leads=40, now=NOW, rebuild_indexes=rebuild_indexes, progress=False)
    newest = list(Lead.objects.order_by("-id")[:40])
    assert not Lead.pgh_event_model.objects.filter(pgh_obj__in=newest).exists()
    persons = [lead.person_id for lead in newest]
    assert not Person.pgh_event_model.objects.filter(pgh_obj__in=persons).exists()

    lead = newest[0]
    urgency = Urgency.SOON if lead.urgency == Urgency.URGENT else Urgency.URGENT
    Lead.objects.filter(pk=lead.pk).update(urgency=urgency)

    assert Lead.pgh_event_model.objects.get(pgh_obj=lead).urgency == urgency


def test_liaisons_have_territories_and_a_visit_history(demo):
    liaisons = User.objects.filter(groups__name=Role.LIAISON)
    for liaison in liaisons:
        assert LiaisonTerritory.objects.filter(liaison=liaison).exists()
        assert LiaisonVisit.objects.filter(liaison=liaison).exists()
    assert not LiaisonVisit.objects.filter(visited_on__gt=NOW.date()).exists()
    assert LiaisonVisit.objects.filter(gift_value__gt=0).exists()


def test_referrer_health_finds_every_status(demo):
    statuses = set(ReferralSourceHealth.objects.values_list("status", flat=True))
    assert statuses == {"new", "active", "declining", "inactive"}


def test_routing_rules_send_each_line_to_its_team(demo):
    for team in Team.objects.filter(is_fallback=False):
        assert RoutingRule.objects.filter(target_team=team, is_enabled=True).exists()


def test_completed_referrals_mostly_have_their_summary_sent_back(demo):
    completed = Lead.objects.filter(
        stage__slug=DefaultStage.COMPLETED, referral_source__isnull=False
    )
    sent = completed.filter(referral_feedback_sent_at__isnull=False)
    assert sent.count() >= completed.count() // 2
    assert not sent.filter(referral_feedback_sent_at__lt=F("closed_at")).exists()
    assert not Lead.objects.filter(
        referral_source__isnull=True, referral_feedback_sent_at__isnull=False
    ).exists()


def test_a_fresh_demo_has_its_dashboard_figures_computed(demo, client):
    from apps.dashboards import selectors as dashboards
    from apps.dashboards.filters import DashboardFilters
    from apps.dashboards.models import LeadFact

    assert dashboards.facts_freshness().rebuilt_at is not None
    assert LeadFact.objects.count() == Lead.objects.filter(merged_into__isnull=True).count()
    figures = dashboards.dashboard_overview(
        filters=DashboardFilters(start=NOW.date() - dt.timedelta(days=89), end=NOW.date())
    ).current
    assert figures.leads > 0 and figures.median_response_minutes is not None
    client.force_login(User.objects.get(username="manager"))
    body = client.get("/dashboards/?start=2024-12-15&end=2025-03-14").content.decode()
    assert "not been computed yet" not in body
    assert "Figures as of" in body


def test_the_readmes_first_lead_routes_to_its_campus_team(demo):
    """The README's "Post a first lead" example, sent as written with the demo's key,
    names a location, so the lead goes to that campus's team by a rule, not the
    fallback."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## Post a first lead", 1)[1].split("\n## ", 1)[0]
    body = json.loads(re.search(r"-d '(\{.*?\})'", section, re.DOTALL).group(1))
    raw_key = demo["output"].split("export LEADCRM_INTAKE_KEY='")[1].split("'")[0]

    answer = APIClient().post(
        "/api/v1/intake/",
        body,
        format="json",
        HTTP_AUTHORIZATION=f"Api-Key {raw_key}",
        HTTP_IDEMPOTENCY_KEY="readme-first-lead",
    )
    assert answer.status_code == 201, answer.content
    decision = lead_route(lead_id=answer.json()["id"])

    assert body["location"] == "riverside-general"
    assert decision.rule is not None
    assert decision.team is not None and not decision.team.is_fallback
    assert decision.team.locations.filter(slug="riverside-general").exists()
