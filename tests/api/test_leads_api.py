"""The staff lead API: scoping, filters, search, detail, edits, stage moves, assignment,
the timeline, and the SQL each list and detail costs."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.leads.models import Activity, Lead
from apps.leads.services import LEAD_EDITABLE_FIELDS
from apps.pipeline.selectors import stage_get_by_slug
from apps.routing.models import RoutingWait
from apps.servicelines.models import QualificationQuestion
from tests.factories import (
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    UserFactory,
)
from tests.routing.factories import waiting_for_anyone

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# --- Scoping ------------------------------------------------------------------------


def test_coordinator_lists_own_leads_and_those_waiting_in_their_team(
    client_for, coordinator, colleague, team, other_team
):
    own = LeadFactory(owner=coordinator)
    waiting_in_team = LeadFactory(team=team)
    colleagues = LeadFactory(team=team, owner=colleague)
    LeadFactory(team=other_team)
    LeadFactory()

    response = client_for(coordinator).get("/api/v1/leads/")

    assert _ids(response) == sorted([own.pk, waiting_in_team.pk, colleagues.pk])


def test_coordinator_gets_404_for_a_lead_of_another_team(client_for, coordinator, other_team):
    lead = LeadFactory(team=other_team)
    client = client_for(coordinator)

    for url in (
        f"/api/v1/leads/{lead.pk}/",
        f"/api/v1/leads/{lead.pk}/activities/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.patch(f"/api/v1/leads/{lead.pk}/", {"payer": "x"}, format="json").status_code == 404
    )
    assert client.post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "contacted"}).status_code == 404


def test_manager_sees_every_lead(client_for, manager, team, other_team):
    leads = [LeadFactory(team=team), LeadFactory(team=other_team), LeadFactory()]

    response = client_for(manager).get("/api/v1/leads/")

    assert _ids(response) == sorted(lead.pk for lead in leads)


def test_liaison_sees_the_leads_of_the_referral_sources_they_own(client_for, liaison):
    mine = LeadFactory(referral_source=ReferralSourceFactory(owning_liaison=liaison))
    LeadFactory(referral_source=ReferralSourceFactory())

    assert _ids(client_for(liaison).get("/api/v1/leads/")) == [mine.pk]


# --- Filters ------------------------------------------------------------------------


@pytest.fixture
def two_leads(team, other_team):
    """A lead matching every filter below, and one matching none of them."""
    owner = UserFactory(username="owner-a")
    matching = LeadFactory(
        service_line=ServiceLineFactory(slug="orthopedics"),
        location=LocationFactory(slug="north"),
        urgency="urgent",
        lead_type="physician_referral",
        channel="referral",
        owner=owner,
        team=team,
        referral_source=ReferralSourceFactory(),
        created_at=timezone.now() - dt.timedelta(days=2),
    )
    other = LeadFactory(
        service_line=ServiceLineFactory(slug="cardiology"),
        location=LocationFactory(slug="south"),
        urgency="routine",
        lead_type="patient",
        channel="web_form",
        owner=UserFactory(username="owner-b"),
        team=other_team,
        referral_source=ReferralSourceFactory(),
        stage=stage_get_by_slug("disqualified"),
        closed_at=timezone.now(),
        created_at=timezone.now() - dt.timedelta(days=10),
    )
    return matching, other


@pytest.mark.parametrize(
    "query",
    [
        lambda m: {"service_line": "orthopedics"},
        lambda m: {"location": "north"},
        lambda m: {"stage": "new"},
        lambda m: {"urgency": "urgent"},
        lambda m: {"lead_type": "physician_referral"},
        lambda m: {"channel": "referral"},
        lambda m: {"owner": m.owner_id},
        lambda m: {"team": m.team_id},
        lambda m: {"referral_source": m.referral_source_id},
        lambda m: {"open": "true"},
        lambda m: {"created_after": (timezone.now() - dt.timedelta(days=5)).isoformat()},
        lambda m: {
            "created_after": (timezone.now() - dt.timedelta(days=3)).isoformat(),
            "created_before": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        },
    ],
    ids=[
        "service_line",
        "location",
        "stage",
        "urgency",
        "lead_type",
        "channel",
        "owner",
        "team",
        "referral_source",
        "open",
        "created_after",
        "created_between",
    ],
)
def test_each_filter_keeps_only_matching_leads(client_for, manager, two_leads, query):
    matching, _ = two_leads

    response = client_for(manager).get("/api/v1/leads/", query(matching))

    assert _ids(response) == [matching.pk]


def test_created_before_excludes_later_leads(client_for, manager, two_leads):
    _, older = two_leads
    before = (timezone.now() - dt.timedelta(days=5)).isoformat()

    assert _ids(client_for(manager).get("/api/v1/leads/", {"created_before": before})) == [older.pk]


def test_open_false_lists_closed_leads(client_for, manager, two_leads):
    _, closed = two_leads

    assert _ids(client_for(manager).get("/api/v1/leads/?open=false")) == [closed.pk]


def test_unassigned_lists_leads_nobody_owns(client_for, manager, two_leads):
    nobodys = LeadFactory(owner=None)

    assert _ids(client_for(manager).get("/api/v1/leads/?unassigned=true")) == [nobodys.pk]


def test_a_filter_repeated_matches_any_of_its_values(client_for, manager, two_leads):
    response = client_for(manager).get("/api/v1/leads/?urgency=urgent&urgency=routine")

    assert _ids(response) == sorted(lead.pk for lead in two_leads)


def test_filters_combine(client_for, manager, two_leads):
    matching, _ = two_leads

    assert _ids(client_for(manager).get("/api/v1/leads/?open=true&urgency=routine")) == []
    assert _ids(client_for(manager).get("/api/v1/leads/?open=true&urgency=urgent")) == [matching.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("service_line=no-such-line", "service_line"),
        ("stage=no-such-stage", "stage"),
        ("urgency=whenever", "urgency"),
        ("created_after=last-tuesday", "created_after"),
        ("owner=me", "owner"),
    ],
)
def test_a_bad_filter_value_answers_400_naming_the_filter(client_for, manager, query, field):
    response = client_for(manager).get(f"/api/v1/leads/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- Search -------------------------------------------------------------------------


@pytest.fixture
def searchable(db):
    person = PersonFactory(
        first_name="Maria", last_name="Delgado", phone="+13125550147", email="Maria.D@Example.com"
    )
    lead = LeadFactory(person=person)
    LeadFactory(person=PersonFactory(first_name="John", last_name="Deal", phone="+13125550148"))
    return lead


@pytest.mark.parametrize(
    "query",
    [
        "(312) 555-0147",
        "312.555.0147",
        "1-312-555-0147",
        "+1 312 555 0147",
        "maria.d@example.COM",
        "Delgado",
        "delg",
        "Maria Delgado",
        "delgado, maria",
        "MARIA DEL",
    ],
)
def test_search_finds_a_lead_by_name_email_in_any_case_or_phone_in_any_format(
    client_for, manager, searchable, query
):
    response = client_for(manager).get("/api/v1/leads/", {"q": query})

    assert _ids(response) == [searchable.pk]


@pytest.mark.parametrize("query", ["555-0147", "maria", "maria.d@example", "Delgado Marian"])
def test_search_does_not_match_partial_phones_first_names_alone_or_partial_emails(
    client_for, manager, searchable, query
):
    assert _ids(client_for(manager).get("/api/v1/leads/", {"q": query})) == []


def test_search_finds_a_lead_by_its_caregivers_phone(client_for, manager):
    daughter = PersonFactory(phone="+17735550199")
    lead = LeadFactory(caregiver=daughter)
    LeadFactory()

    assert _ids(client_for(manager).get("/api/v1/leads/", {"q": "773-555-0199"})) == [lead.pk]


def test_search_stays_within_what_the_user_may_see(client_for, coordinator, other_team):
    LeadFactory(team=other_team, person=PersonFactory(phone="+13125550147"))

    assert _ids(client_for(coordinator).get("/api/v1/leads/", {"q": "3125550147"})) == []


# --- Detail -------------------------------------------------------------------------


def test_detail_shows_people_referral_source_attribution_and_clock(client_for, manager):
    caregiver = PersonFactory(first_name="Ana", last_name="Ruiz")
    lead = LeadFactory(
        person=PersonFactory(first_name="Luis", last_name="Ruiz", phone="+13125550100"),
        caregiver=caregiver,
        referral_source=ReferralSourceFactory(name="Dr. Chen"),
        utm_source="google",
        utm_campaign="knee-pain",
        landing_page="https://hospital.test/ortho",
    )

    body = client_for(manager).get(f"/api/v1/leads/{lead.pk}/").json()

    assert body["person"]["display_name"] == "Luis Ruiz"
    assert body["person"]["phone"] == "+13125550100"
    assert body["caregiver"]["display_name"] == "Ana Ruiz"
    assert body["referral_source"]["name"] == "Dr. Chen"
    assert body["attribution"]["utm_source"] == "google"
    assert body["attribution"]["utm_campaign"] == "knee-pain"
    assert body["attribution"]["first_touch_channel"] == "web_form"
    assert body["stage"] == {"slug": "new", "name": "New", "kind": "open"}
    assert body["is_open"] is True
    assert body["first_response_at"] is None
    assert body["time_to_first_response_seconds"] is None


def test_detail_shows_the_consent_in_force_per_purpose_and_channel(client_for, manager):
    lead = LeadFactory()
    now = timezone.now()
    ConsentFactory(person=lead.person, channel="email", recorded_at=now - dt.timedelta(days=3))
    ConsentFactory(
        person=lead.person,
        channel="email",
        status="withdrawn",
        method="unsubscribe_link",
        recorded_at=now - dt.timedelta(days=1),
    )
    ConsentFactory(person=lead.person, channel="sms", purpose="marketing", recorded_at=now)

    consent = client_for(manager).get(f"/api/v1/leads/{lead.pk}/").json()["person"]["consent"]

    assert consent["care_coordination"]["email"]["status"] == "withdrawn"
    assert consent["care_coordination"]["email"]["method"] == "unsubscribe_link"
    assert consent["care_coordination"]["sms"] is None
    assert consent["care_coordination"]["phone"] is None
    assert consent["marketing"]["sms"]["status"] == "granted"
    assert consent["marketing"]["email"] is None


# --- Edits --------------------------------------------------------------------------


def test_patch_edits_descriptive_fields(client_for, manager):
    lead = LeadFactory(urgency="routine")
    LocationFactory(slug="west")

    response = client_for(manager).patch(
        f"/api/v1/leads/{lead.pk}/",
        {"urgency": "urgent", "location": "west", "payer": "Aetna", "score": 80},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["urgency"] == "urgent"
    assert response.json()["location"]["slug"] == "west"
    lead.refresh_from_db()
    assert (lead.urgency, lead.location.slug, lead.payer, lead.score) == (
        "urgent",
        "west",
        "Aetna",
        80,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": 101}, "score"),
        ({"urgency": "asap"}, "urgency"),
        ({"service_line": "no-such-line"}, "service_line"),
        ({"referral_source": 999999}, "referral_source"),
        ({"payer": "x" * 121}, "payer"),
        ({"stage": "completed"}, "stage"),
        ({"owner": 1}, "owner"),
        ({"first_response_at": "2020-01-01T00:00:00Z"}, "first_response_at"),
    ],
)
def test_patch_refuses_bad_values_and_other_fields_by_name(client_for, manager, payload, field):
    lead = LeadFactory(urgency="routine", payer="")

    response = client_for(manager).patch(f"/api/v1/leads/{lead.pk}/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    lead.refresh_from_db()
    assert (lead.urgency, lead.payer, lead.score) == ("routine", "", 0)


def test_patch_with_nothing_to_change_answers_the_lead_unchanged(client_for, manager):
    # `{}` is a valid PATCH by the schema: it changes nothing, as HTTP's PATCH says.
    lead = LeadFactory(urgency="routine")

    response = client_for(manager).patch(f"/api/v1/leads/{lead.pk}/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["urgency"] == "routine"


def test_a_lead_keeping_its_first_referral_source_answers_409(client_for, manager):
    first = ReferralSourceFactory()
    lead = LeadFactory(referral_source=first)

    response = client_for(manager).patch(
        f"/api/v1/leads/{lead.pk}/", {"referral_source": ReferralSourceFactory().pk}, format="json"
    )

    assert response.status_code == 409
    assert "referral_source" in response.json()
    lead.refresh_from_db()
    assert lead.referral_source_id == first.pk


def test_a_move_the_leads_stage_refuses_answers_409_and_a_missing_value_400(client_for, manager):
    lead = LeadFactory()
    client = client_for(manager)

    completed = client.post(
        f"/api/v1/leads/{lead.pk}/stage/", {"stage": "completed"}, format="json"
    )
    scheduled = client.post(
        f"/api/v1/leads/{lead.pk}/stage/", {"stage": "scheduled"}, format="json"
    )

    assert completed.status_code == 409 and "stage" in completed.json()
    assert scheduled.status_code == 400 and "appointment_at" in scheduled.json()


def test_a_number_where_text_belongs_answers_400_naming_the_field(client_for, manager):
    lead = LeadFactory()

    response = client_for(manager).post(
        f"/api/v1/leads/{lead.pk}/assign/", {"reason": 12}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"reason": ["Must be text (a JSON string)."]}


def test_the_schema_lists_the_campuses_an_appointment_may_be_at(client_for, manager):
    LocationFactory(slug="riverside")
    LocationFactory(slug="closed-campus", is_active=False)

    schema = (
        client_for(manager)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()["components"]["schemas"]
    )
    field = schema["LeadStageChangeRequest"]["properties"]["appointment_location"]
    enum = next(
        schema[part["$ref"].rsplit("/", 1)[1]]["enum"]
        for part in field.get("allOf", field.get("oneOf", [field]))
        if "$ref" in part
    )

    assert "riverside" in enum and "closed-campus" not in enum


def test_assign_with_neither_owner_nor_team_keeps_both(client_for, manager):
    lead = LeadFactory()

    response = client_for(manager).post(f"/api/v1/leads/{lead.pk}/assign/", {}, format="json")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.owner_id, lead.team_id) == (None, None)


@pytest.mark.parametrize(
    "query",
    [
        "unassigned=1",  # only true or false
        "open=yes",
        "unassigned=true&unassigned=false",  # a single-valued filter given twice
        "owner=4.5",  # ids are whole numbers
        "service_line=",  # an empty slug names nothing
        "stage=no-such-stage",
        "created_after=yesterday",
    ],
)
def test_a_lead_filter_it_cannot_read_answers_400(client_for, manager, query):
    response = client_for(manager).get(f"/api/v1/leads/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize(
    "query",
    [
        # PostgreSQL refuses such an offset: this answered 500 (found by schemathesis).
        "created_after=0410-02-24T09:02:37-19:03",
        "created_before=0001-01-01T00:00:00%2B05:00",  # before the year 1 in UTC
        "created_after=9999-12-31T23:00:00-05:00",  # after 9999 in UTC
    ],
)
def test_a_moment_at_the_edge_of_time_answers_a_page(client_for, manager, query):
    response = client_for(manager).get(f"/api/v1/leads/?{query}")

    assert response.status_code == 200


def test_created_after_takes_a_moment_in_any_offset(client_for, manager):
    lead = LeadFactory()
    moment = lead.created_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))

    at = client_for(manager).get("/api/v1/leads/", {"created_after": moment.isoformat()})
    after = client_for(manager).get(
        "/api/v1/leads/", {"created_after": (moment + dt.timedelta(seconds=1)).isoformat()}
    )

    assert [row["id"] for row in at.json()["results"]] == [lead.pk]
    assert after.json()["results"] == []


def test_patch_offers_exactly_the_fields_the_service_edits():
    from apps.leads.serializers import LeadUpdateSerializer

    assert set(LeadUpdateSerializer().fields) == set(LEAD_EDITABLE_FIELDS)


# --- Stage moves --------------------------------------------------------------------


def test_stage_change_moves_the_lead_and_records_it(client_for, manager):
    lead = LeadFactory()

    response = client_for(manager).post(
        f"/api/v1/leads/{lead.pk}/stage/", {"stage": "contacted"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["stage"]["slug"] == "contacted"
    change = Activity.objects.get(lead=lead, kind="stage_change")
    assert (change.from_stage.slug, change.to_stage.slug, change.author) == (
        "new",
        "contacted",
        manager,
    )


def test_stage_change_to_scheduled_takes_the_appointment(client_for, manager):
    lead = LeadFactory()
    appointment = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)

    response = client_for(manager).post(
        f"/api/v1/leads/{lead.pk}/stage/",
        {"stage": "scheduled", "appointment_at": appointment.isoformat()},
        format="json",
    )

    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert lead.appointment_at == appointment
    assert lead.appointment_location == lead.location


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({"stage": "scheduled"}, "appointment_at", 400),
        # Refused by where the lead is, not by what was sent: 409.
        ({"stage": "completed"}, "stage", 409),
        ({"stage": "new"}, "stage", 409),
        ({"stage": "disqualified"}, "lost_reason", 400),
        ({"stage": "disqualified", "lost_reason": "bored"}, "lost_reason", 400),
        ({"stage": "not-ready"}, "recontact_on", 400),
        ({"stage": "not-ready", "recontact_on": "2001-01-01"}, "recontact_on", 400),
        ({"stage": "no-such-stage"}, "stage", 400),
        ({"stage": "scheduled", "appointment_at": "tomorrow"}, "appointment_at", 400),
        ({}, "stage", 400),
    ],
)
def test_stage_change_refusals_answer_by_field(client_for, manager, payload, field, status):
    lead = LeadFactory()

    response = client_for(manager).post(f"/api/v1/leads/{lead.pk}/stage/", payload, format="json")

    assert response.status_code == status
    assert field in response.json()
    lead.refresh_from_db()
    assert lead.stage.slug == "new"
    assert not Activity.objects.filter(lead=lead, kind="stage_change").exists()


def test_stage_change_to_qualified_names_the_unanswered_questions(client_for, manager):
    lead = LeadFactory()
    question = QualificationQuestion.objects.create(
        service_line=lead.service_line, position=1, text="Has the patient seen a surgeon?"
    )
    client = client_for(manager)

    refused = client.post(f"/api/v1/leads/{lead.pk}/stage/", {"stage": "qualified"}, format="json")
    accepted = client.post(
        f"/api/v1/leads/{lead.pk}/stage/",
        {"stage": "qualified", "qualification_answers": {str(question.pk): "yes"}},
        format="json",
    )

    # The questions are the lead's service line's (its state), not the request's shape.
    assert refused.status_code == 409
    assert "Has the patient seen a surgeon?" in refused.json()["qualification_answers"][0]
    assert accepted.status_code == 200
    assert accepted.json()["qualification_answers"] == {str(question.pk): "yes"}


# --- Assignment ---------------------------------------------------------------------


def assign(client, lead, payload: dict):
    return client.post(f"/api/v1/leads/{lead.pk}/assign/", payload, format="json")


def test_coordinator_claims_a_lead_waiting_in_their_team(client_for, coordinator, team):
    lead = LeadFactory(team=team, owner=None)

    response = assign(client_for(coordinator), lead, {"owner": coordinator.pk})

    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == coordinator.pk
    assert response.json()["team"]["id"] == team.pk


def test_coordinator_cannot_take_a_colleagues_lead(client_for, coordinator, colleague, team):
    lead = LeadFactory(team=team, owner=colleague)

    response = assign(
        client_for(coordinator), lead, {"owner": coordinator.pk, "reason": "mine now"}
    )

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.owner == colleague


def test_manager_reassigns_only_with_a_reason(client_for, manager, coordinator, colleague, team):
    lead = LeadFactory(team=team, owner=colleague)
    client = client_for(manager)

    refused = assign(client, lead, {"owner": coordinator.pk})
    accepted = assign(client, lead, {"owner": coordinator.pk, "reason": "Colleague is on leave"})

    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert accepted.status_code == 200
    record = Activity.objects.get(lead=lead, kind="assignment")
    assert record.body.endswith("Reason: Colleague is on leave")
    assert record.details["reason"] == "Colleague is on leave"
    assert record.details["from_owner_id"] == colleague.pk
    assert record.details["to_owner_id"] == coordinator.pk


def test_manager_cannot_assign_a_lead_to_someone_outside_its_team(
    client_for, manager, outsider, team
):
    lead = LeadFactory(team=team, owner=None)

    response = assign(
        client_for(manager), lead, {"owner": outsider.pk, "reason": "Covering the weekend"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "owner": [f"{outsider.display_name} is not a member of {team.name}."]
    }
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Activity.objects.filter(lead=lead, kind="assignment").exists()


def test_assigning_through_the_api_ends_the_wait_and_starts_the_clock(
    client_for, coordinator, team
):
    lead = LeadFactory(team=team, owner=None, routed_at=None)
    waiting_for_anyone(lead=lead, team=team)

    response = assign(client_for(coordinator), lead, {"owner": coordinator.pk})

    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert lead.routed_at is not None and lead.sla_due_at is not None
    assert not RoutingWait.objects.filter(lead=lead).exists()


# --- Timeline -----------------------------------------------------------------------


def test_timeline_lists_activities_newest_first(client_for, manager):
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(hours=3))
    now = timezone.now()
    older = Activity.objects.create(lead=lead, kind="note", occurred_at=now - dt.timedelta(hours=2))
    newer = Activity.objects.create(lead=lead, kind="note", occurred_at=now - dt.timedelta(hours=1))

    response = client_for(manager).get(f"/api/v1/leads/{lead.pk}/activities/")

    assert [row["id"] for row in response.json()["results"]] == [newer.pk, older.pk]


@pytest.mark.parametrize(("outcome", "stops"), [("reached", True), ("no_answer", False)])
def test_logging_a_call_stops_the_response_clock_only_when_it_reached_them(
    client_for, coordinator, outcome, stops
):
    lead = LeadFactory(owner=coordinator, created_at=timezone.now() - dt.timedelta(minutes=30))

    response = client_for(coordinator).post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"kind": "call", "direction": "outbound", "outcome": outcome},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["author"]["id"] == coordinator.pk
    lead.refresh_from_db()
    assert (lead.first_response_at is not None) is stops


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "stage_change"}, "kind"),
        ({"kind": "assignment"}, "kind"),
        ({"kind": "task"}, "due_at"),
        ({"kind": "note", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"kind": "call", "outcome": "great"}, "outcome"),
        ({"kind": "call", "duration_seconds": -5}, "duration_seconds"),
    ],
)
def test_logging_a_bad_activity_answers_400_by_field(client_for, manager, payload, field):
    lead = LeadFactory()

    response = client_for(manager).post(
        f"/api/v1/leads/{lead.pk}/activities/", payload, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Activity.objects.filter(lead=lead).exists()


# --- SQL budgets --------------------------------------------------------------------


def _lead_batch(count: int, *, team, owner) -> None:
    service_lines = [ServiceLineFactory(), ServiceLineFactory()]
    for index in range(count):
        LeadFactory(
            team=team,
            owner=owner if index % 2 else None,
            service_line=service_lines[index % 2],
            referral_source=ReferralSourceFactory() if index % 3 == 0 else None,
        )


# token with its user and roles + the user's teams + the page with its people, owners and
# teams + the access log entry; service lines, locations and stages are named from the
# reference cache (a warm process).
LIST_QUERIES_FOR_A_COORDINATOR = 4


@pytest.mark.parametrize("count", [5, 50])
def test_lead_list_costs_the_same_queries_for_5_or_50_rows(
    client_for, coordinator, team, django_assert_num_queries, count
):
    _lead_batch(count, team=team, owner=coordinator)
    client = client_for(coordinator)
    client.get("/api/v1/leads/")  # fills the reference cache, as in a warm process

    with django_assert_num_queries(LIST_QUERIES_FOR_A_COORDINATOR):
        response = client.get("/api/v1/leads/")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_filtered_and_searched_lead_list_costs_a_fixed_number_of_queries(
    client_for, manager, team, coordinator, django_assert_num_queries, count
):
    _lead_batch(count, team=team, owner=coordinator)
    Lead.objects.update(person=PersonFactory(phone="+13125550199"))
    client = client_for(manager)

    client.get("/api/v1/leads/?stage=new")  # fills the reference cache

    # token with its user and roles + stage slug + the page + the access log entry
    with django_assert_num_queries(4):
        response = client.get("/api/v1/leads/?stage=new&q=312-555-0199")

    assert len(response.json()["results"]) == count


def test_lead_detail_costs_a_fixed_number_of_queries(
    client_for, coordinator, team, django_assert_num_queries
):
    lead = LeadFactory(
        owner=coordinator,
        team=team,
        caregiver=PersonFactory(),
        referral_source=ReferralSourceFactory(),
    )
    ConsentFactory.create_batch(3, person=lead.person)
    client = client_for(coordinator)

    # token with its user and roles + the user's teams + the lead with everything it
    # links to + consents + its latest safety flag
    with django_assert_num_queries(6):  # + the access log entry
        response = client.get(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_timeline_costs_the_same_queries_for_3_or_30_entries(
    client_for, manager, django_assert_num_queries, count
):
    lead = LeadFactory(created_at=timezone.now() - dt.timedelta(days=1))
    author = UserFactory()
    for _ in range(count):
        Activity.objects.create(lead=lead, kind="note", author=author)
    client = client_for(manager)

    # token with its user and roles + the lead + one page of activities with authors and
    # stages joined
    with django_assert_num_queries(4):  # + the access log entry
        response = client.get(f"/api/v1/leads/{lead.pk}/activities/")

    assert len(response.json()["results"]) == count
