import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.alerts.models import Alert
from apps.leads.models import Activity
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import (
    ActivityFactory,
    ConsentFactory,
    PersonFactory,
    ReferralSourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def lead_url(lead) -> str:
    return reverse("queue:lead", args=[lead.pk])


def test_coordinator_sees_a_lead_of_their_team(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(team=team)
    response = logged_in(coordinator).get(lead_url(lead))
    assert response.status_code == 200
    assert lead.person.display_name in response.content.decode()


@pytest.mark.parametrize("whose", ["other team", "nobody's", "missing"])
def test_coordinator_gets_404_for_a_lead_outside_their_teams(
    logged_in, coordinator, other_team, routed_lead, whose
):
    lead_id = {
        "other team": lambda: routed_lead(team=other_team).pk,
        "nobody's": lambda: routed_lead(team=None).pk,
        "missing": lambda: 999_999,
    }[whose]()
    response = logged_in(coordinator).get(reverse("queue:lead", args=[lead_id]))
    assert response.status_code == 404


def test_a_lead_i_own_in_another_team_is_mine_to_see(
    logged_in, coordinator, other_team, routed_lead
):
    lead = routed_lead(team=other_team, owner=coordinator)
    assert logged_in(coordinator).get(lead_url(lead)).status_code == 200


def test_liaison_gets_no_lead_page_only_the_referral_page_of_their_sources(
    logged_in, team, routed_lead
):
    # Issue 14, hole 1: the lead page showed a liaison the patient's name, phone,
    # message and call notes. Their sources' leads are on the referral page, de-identified.
    liaison = UserFactory(username="lee", roles=[Role.LIAISON])
    # A name no Faker-made physician or staff member on the page can share.
    theirs = routed_lead(
        team=team,
        person=PersonFactory(first_name="Ottoline", last_name="Vandersloot"),
        referral_source=ReferralSourceFactory(owning_liaison=liaison),
        message="Knee pain since the fall in March.",
    )
    not_theirs = routed_lead(team=team, referral_source=ReferralSourceFactory())
    client = logged_in(liaison)
    assert client.get(lead_url(theirs)).status_code == 404
    assert client.get(lead_url(not_theirs)).status_code == 404
    referral = client.get(reverse("referrals:lead_referral", args=[theirs.pk]))
    assert referral.status_code == 200
    html = referral.content.decode()
    for identifying in (theirs.person.first_name, theirs.person.last_name, theirs.message):
        assert identifying not in html
    assert theirs.service_line.name in html
    assert client.get(reverse("referrals:lead_referral", args=[not_theirs.pk])).status_code == 404


def test_manager_sees_any_lead(logged_in, manager, other_team, routed_lead):
    assert logged_in(manager).get(lead_url(routed_lead(team=other_team))).status_code == 200


def test_quick_actions_answer_404_for_a_lead_i_may_not_see(
    logged_in, coordinator, other_team, routed_lead
):
    lead = routed_lead(team=other_team)
    response = logged_in(coordinator).post(
        reverse("queue:lead_note", args=[lead.pk]), {"note-body": "hello"}
    )
    assert response.status_code == 404
    assert not Activity.objects.filter(lead=lead, kind="note").exists()


def test_page_shows_person_caregiver_inquiry_attribution_source_and_consent(
    logged_in, coordinator, team, routed_lead
):
    patient = PersonFactory(
        first_name="Ana", last_name="Rivera", phone="+13125550188", email="ana@example.com"
    )
    caregiver = PersonFactory(first_name="Luis", last_name="Rivera", phone="+13125550177")
    source = ReferralSourceFactory(name="Dr. Priya Shah", organization_name="Lakeside Family")
    ConsentFactory(person=patient, channel="sms", purpose="care_coordination", status="granted")
    ConsentFactory(
        person=patient, channel="email", purpose="marketing", status="withdrawn", wording=""
    )
    lead = routed_lead(
        team=team,
        person=patient,
        caregiver=caregiver,
        referral_source=source,
        condition_interest="Knee replacement",
        utm_source="google",
        utm_medium="cpc",
        utm_campaign="knee-2026",
        landing_page="https://hospital.example/ortho",
    )

    html = logged_in(coordinator).get(lead_url(lead)).content.decode()

    for shown in (
        "Ana Rivera",
        "(312) 555-0188",
        "ana@example.com",
        "Caregiver",
        "Luis Rivera",
        "Knee replacement",
        "google / cpc",
        "knee-2026",
        "https://hospital.example/ortho",
        "Dr. Priya Shah",
        "Lakeside Family",
        "Granted",
        "Withdrawn",
        "Not asked",
    ):
        assert shown in html, shown


def test_one_timeline_of_activities_stage_changes_routing_and_alerts_newest_first(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(team=team, owner=coordinator, due_in=-10)
    now = timezone.now()
    ActivityFactory(
        lead=lead,
        kind="assignment",
        body="Rule 1 “Ortho web forms” matched. Chosen: Avery Stone.",
        occurred_at=now - dt.timedelta(minutes=20),
    )
    Alert.objects.create(
        lead=lead, recipient=coordinator, level="breach", created_at=now - dt.timedelta(minutes=10)
    )
    ActivityFactory(
        lead=lead,
        kind="stage_change",
        author=coordinator,
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("contacted"),
        occurred_at=now - dt.timedelta(minutes=5),
    )
    ActivityFactory(
        lead=lead,
        kind="call",
        direction="outbound",
        outcome="reached",
        author=coordinator,
        duration_seconds=240,
        occurred_at=now - dt.timedelta(minutes=6),
    )

    html = logged_in(coordinator).get(lead_url(lead)).content.decode()
    timeline = html[html.index('id="lead-timeline"') :]

    titles = [
        "Stage: New → Contacted",
        "Outbound call · Reached · 4 min",
        "Alert: Response time breached",
        "Routed",
    ]
    positions = [timeline.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Chosen: Avery Stone." in timeline
    assert "Sent to Avery Stone." in timeline


def _timeline_of(lead, user, *, entries: int):
    """`entries` activities of every kind, with an alert on every fourth one."""
    now = timezone.now()
    kinds = ["note", "call", "email", "stage_change", "assignment", "task"]
    for n in range(entries):
        kind = kinds[n % len(kinds)]
        activity = ActivityFactory(
            lead=lead,
            kind=kind,
            author=user if n % 2 else None,
            assignee=user if kind == "task" else None,
            due_at=now + dt.timedelta(hours=1) if kind == "task" else None,
            from_stage=stage_get_by_slug("new") if kind == "stage_change" else None,
            to_stage=stage_get_by_slug("contacted") if kind == "stage_change" else None,
            occurred_at=now - dt.timedelta(minutes=n),
        )
        if n % 4 == 0:
            Alert.objects.create(
                lead=lead,
                recipient=user,
                level="missed_call",
                activity=activity,
                created_at=now - dt.timedelta(minutes=n, seconds=30),
            )
    ConsentFactory(person=lead.person)


# Session, user, role groups, team ids, the lead, its activities, open tasks, merges,
# alerts, consents, duplicates, qualification questions, locations, the latest safety
# flag, and the alert badge of the top bar, who holds emergency access, and the access
# log entry. Stages come from the process's cache.
LEAD_PAGE_QUERIES = 17


@pytest.mark.parametrize("entries", [3, 80])
def test_lead_page_runs_a_fixed_number_of_queries_whatever_the_timeline_length(
    logged_in, coordinator, team, routed_lead, django_assert_num_queries, entries
):
    lead = routed_lead(team=team, owner=coordinator)
    _timeline_of(lead, coordinator, entries=entries)
    client = logged_in(coordinator)

    with django_assert_num_queries(LEAD_PAGE_QUERIES):
        response = client.get(lead_url(lead))
    assert response.content.decode().count('class="timeline-entry') >= entries


def test_a_long_timeline_shows_the_newest_hundred_and_links_to_the_rest(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(team=team, owner=coordinator)
    Activity.objects.bulk_create(
        [
            Activity(lead=lead, kind="note", body=f"note {n}", occurred_at=timezone.now())
            for n in range(120)
        ]
    )
    client = logged_in(coordinator)
    html = client.get(lead_url(lead)).content.decode()
    assert "Show the whole timeline" in html
    assert html.count('class="timeline-entry') == 100
    whole = client.get(lead_url(lead), {"timeline": "all"}).content.decode()
    assert whole.count('class="timeline-entry') == 120


def test_page_documents_its_keyboard_shortcuts_and_labels_every_control(
    logged_in, coordinator, team, routed_lead
):
    lead = routed_lead(team=team)
    html = logged_in(coordinator).get(lead_url(lead)).content.decode()
    assert "Keyboard shortcuts" in html
    controls = re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html
    )
    assert len(controls) > 10
    for control_id in controls:
        assert f'for="{control_id}"' in html, control_id


def test_no_personal_data_in_any_link_or_form_action(logged_in, coordinator, team, routed_lead):
    person = PersonFactory(first_name="Zelda", last_name="Quintero", email="zq@example.com")
    lead = routed_lead(team=team, person=person)
    html = logged_in(coordinator).get(lead_url(lead)).content.decode()
    for url in re.findall(r'(?:href|action|hx-post|hx-get)="(/[^"]*)"', html):
        assert "Zelda" not in url and "Quintero" not in url and "zq@" not in url


def test_lead_page_links_to_referral_feedback_and_nurture(client):
    from apps.accounts.choices import Role
    from tests.factories import LeadFactory, ReferralSourceFactory, UserFactory

    manager = UserFactory(roles=[Role.MANAGER])
    lead = LeadFactory(referral_source=ReferralSourceFactory())
    client.force_login(manager)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'href="/referrals/leads/{lead.pk}/"' in html
    assert f'href="/nurture/leads/{lead.pk}/"' in html


def test_the_persons_language_is_named_not_coded(logged_in, coordinator, team, routed_lead):
    lead = routed_lead(team=team, owner=coordinator, person=PersonFactory(preferred_language="es"))
    html = logged_in(coordinator).get(lead_url(lead)).content.decode()
    assert "<dt>Language</dt><dd>Spanish</dd>" in html


def test_the_referral_source_links_to_its_profile_for_those_who_work_referrals(
    logged_in, coordinator, manager, team, routed_lead
):
    source = ReferralSourceFactory(name="Lakeview Orthopedics")
    lead = routed_lead(team=team, owner=coordinator, referral_source=source)
    profile = reverse("referrals:profile", args=[source.pk])
    assert f'<a href="{profile}">Lakeview Orthopedics</a>' in (
        logged_in(manager).get(lead_url(lead)).content.decode()
    )
    assert profile not in logged_in(coordinator).get(lead_url(lead)).content.decode()


def test_a_backdated_call_says_so_on_the_timeline(logged_in, coordinator, team, routed_lead):
    # Issue 14, hole 6: backdating stays allowed for the record, and visible.
    from apps.leads.services import activity_log

    lead = routed_lead(
        team=team, owner=coordinator, created_at=timezone.now() - dt.timedelta(days=3)
    )
    activity_log(
        lead=lead,
        kind="call",
        actor=coordinator,
        direction="outbound",
        outcome="reached",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )
    activity_log(lead=lead, kind="note", actor=coordinator, body="Logged as it happened.")

    html = logged_in(coordinator).get(lead_url(lead)).content.decode()

    assert html.count("Backdated: logged") == 1
    assert "2\xa0days after it happened" in html
