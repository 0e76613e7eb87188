"""People, referral sources and reference data through the staff API."""

import pytest

from apps.referral_sources.models import ReferralSource
from apps.referral_sources.validators import npi_check_digit
from apps.servicelines.models import QualificationQuestion
from tests.factories import (
    BusinessHoursFactory,
    ConsentFactory,
    LeadFactory,
    LocationFactory,
    PersonFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _npi(first_nine: str) -> str:
    return first_nine + npi_check_digit(first_nine)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["id"] for row in rows)


# --- People -------------------------------------------------------------------------


def test_coordinator_lists_only_the_people_of_leads_they_may_see(
    client_for, coordinator, team, other_team
):
    patient, caregiver = PersonFactory(), PersonFactory()
    LeadFactory(team=team, person=patient, caregiver=caregiver)
    LeadFactory(team=other_team)
    PersonFactory()  # no lead at all

    assert _ids(client_for(coordinator).get("/api/v1/people/")) == sorted(
        [patient.pk, caregiver.pk]
    )


def test_manager_lists_every_person(client_for, manager):
    people = PersonFactory.create_batch(3)

    assert _ids(client_for(manager).get("/api/v1/people/")) == sorted(p.pk for p in people)


def test_people_search_by_phone_in_another_format(client_for, manager):
    person = PersonFactory(phone="+13125550147")
    PersonFactory(phone="+13125550148")

    assert _ids(client_for(manager).get("/api/v1/people/?q=(312) 555-0147")) == [person.pk]


def test_person_detail_shows_consent_and_the_leads_the_user_may_see(
    client_for, coordinator, team, other_team
):
    person = PersonFactory()
    visible = LeadFactory(team=team, person=person)
    LeadFactory(team=other_team, person=person)
    ConsentFactory(person=person, channel="phone")

    body = client_for(coordinator).get(f"/api/v1/people/{person.pk}/").json()

    assert [lead["id"] for lead in body["leads"]] == [visible.pk]
    assert body["leads"][0]["role"] == "patient"
    assert body["consent"]["care_coordination"]["phone"]["status"] == "granted"
    assert body["consent"]["marketing"]["phone"] is None


def test_person_detail_answers_404_without_a_visible_lead(client_for, coordinator, other_team):
    person = LeadFactory(team=other_team).person

    assert client_for(coordinator).get(f"/api/v1/people/{person.pk}/").status_code == 404


def test_a_caregiver_is_visible_through_the_lead_they_inquired_for(client_for, coordinator, team):
    caregiver = PersonFactory()
    lead = LeadFactory(team=team, caregiver=caregiver)

    body = client_for(coordinator).get(f"/api/v1/people/{caregiver.pk}/").json()

    assert body["leads"] == [
        {
            "id": lead.pk,
            "role": "caregiver",
            "service_line": {"slug": lead.service_line.slug, "name": lead.service_line.name},
            "stage": {"slug": "new", "name": "New", "kind": "open"},
            "is_open": True,
            "created_at": body["leads"][0]["created_at"],
        }
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_people_list_costs_the_same_queries_for_3_or_30_rows(
    client_for, coordinator, team, django_assert_num_queries, count
):
    for _ in range(count):
        LeadFactory(team=team)
    client = client_for(coordinator)

    # token with its user and roles + the user's teams + the page + the access log entry
    with django_assert_num_queries(4):
        response = client.get("/api/v1/people/")

    assert len(response.json()["results"]) == count


# --- Referral sources ---------------------------------------------------------------


@pytest.fixture
def sources(liaison):
    return {
        "chen": ReferralSourceFactory(
            name="Dr. Wei Chen", territory="North", owning_liaison=liaison, npi=_npi("123456789")
        ),
        "mercy": ReferralSourceFactory(
            kind="practice", name="Mercy Family Practice", npi=None, territory="South"
        ),
        "acme": ReferralSourceFactory(
            kind="employer", name="Acme Steel", npi=None, organization_name="Acme Holdings"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=practice", ["mercy"]),
        ("kind=practice&kind=employer", ["acme", "mercy"]),
        ("territory=north", ["chen"]),
        ("q=mercy", ["mercy"]),
        ("q=holdings", ["acme"]),
        ("q=" + _npi("123456789"), ["chen"]),
    ],
)
def test_referral_source_filters(client_for, manager, sources, query, expected):
    response = client_for(manager).get(f"/api/v1/referral-sources/?{query}")

    assert _ids(response) == sorted(sources[name].pk for name in expected)


def test_referral_sources_filter_by_owning_liaison(client_for, manager, sources, liaison):
    response = client_for(manager).get(f"/api/v1/referral-sources/?owning_liaison={liaison.pk}")

    assert _ids(response) == [sources["chen"].pk]


def test_referral_sources_list_by_name(client_for, manager, sources):
    body = client_for(manager).get("/api/v1/referral-sources/").json()

    assert [row["name"] for row in body["results"]] == [
        "Acme Steel",
        "Dr. Wei Chen",
        "Mercy Family Practice",
    ]


def test_liaison_adds_a_provider_with_a_valid_npi(client_for, liaison):
    npi = _npi("192837465")

    response = client_for(liaison).post(
        "/api/v1/referral-sources/",
        {"kind": "provider", "name": "Dr. Ada Obi", "npi": npi, "specialty": "Cardiology"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["npi"] == npi
    assert ReferralSource.objects.get(npi=npi).name == "Dr. Ada Obi"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "provider", "name": "Dr. X", "npi": "1234567890"}, "npi"),  # bad check digit
        ({"kind": "provider", "name": "Dr. X", "npi": "12345"}, "npi"),
        ({"kind": "practice", "name": "Clinic", "npi": _npi("111222333")}, "npi"),
        ({"kind": "surgeon", "name": "Dr. X"}, "kind"),
        ({"kind": "provider"}, "name"),
        ({"kind": "provider", "name": "Dr. X", "email": "not-an-email"}, "email"),
    ],
)
def test_adding_a_bad_referral_source_answers_400_by_field(client_for, manager, payload, field):
    response = client_for(manager).post("/api/v1/referral-sources/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ReferralSource.objects.exists()


def test_a_duplicate_npi_answers_400_naming_the_npi_and_the_existing_source(
    client_for, manager, sources
):
    response = client_for(manager).post(
        "/api/v1/referral-sources/",
        {"kind": "provider", "name": "Wei Chen MD", "npi": sources["chen"].npi},
        format="json",
    )

    assert response.status_code == 400
    assert f"#{sources['chen'].pk}" in response.json()["npi"][0]
    assert ReferralSource.objects.filter(npi=sources["chen"].npi).count() == 1


def test_the_owning_liaison_must_be_a_liaison(client_for, manager, coordinator):
    response = client_for(manager).post(
        "/api/v1/referral-sources/",
        {"kind": "employer", "name": "Acme", "owning_liaison": coordinator.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "owning_liaison" in response.json()


def test_coordinator_cannot_add_referral_sources(client_for, coordinator):
    response = client_for(coordinator).post(
        "/api/v1/referral-sources/", {"kind": "employer", "name": "Acme"}, format="json"
    )

    assert response.status_code == 403


def test_liaison_edits_own_sources_only(client_for, liaison, sources):
    client = client_for(liaison)

    own = client.patch(
        f"/api/v1/referral-sources/{sources['chen'].pk}/",
        {"specialty": "Orthopedics"},
        format="json",
    )
    others = client.patch(
        f"/api/v1/referral-sources/{sources['mercy'].pk}/", {"territory": "North"}, format="json"
    )

    assert own.status_code == 200
    assert own.json()["specialty"] == "Orthopedics"
    assert others.status_code == 403


def test_manager_moves_an_npi_only_to_a_number_nobody_has(client_for, manager, sources):
    other = ReferralSourceFactory(npi=_npi("987654321"))
    client = client_for(manager)

    taken = client.patch(
        f"/api/v1/referral-sources/{other.pk}/", {"npi": sources["chen"].npi}, format="json"
    )
    cleared = client.patch(f"/api/v1/referral-sources/{other.pk}/", {"npi": ""}, format="json")

    assert taken.status_code == 400
    assert "npi" in taken.json()
    assert cleared.status_code == 200
    other.refresh_from_db()
    assert other.npi is None


def test_unknown_referral_source_answers_404(client_for, manager):
    assert client_for(manager).get("/api/v1/referral-sources/999999/").status_code == 404


# --- Reference data -----------------------------------------------------------------


def test_service_lines_list_with_their_qualification_questions(client_for, coordinator):
    ortho = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    QualificationQuestion.objects.create(service_line=ortho, position=1, text="Seen a surgeon?")
    ServiceLineFactory(slug="cardiology", name="Cardiology")

    body = client_for(coordinator).get("/api/v1/service-lines/").json()

    assert [line["slug"] for line in body] == ["cardiology", "orthopedics"]
    assert [q["text"] for q in body[1]["qualification_questions"]] == ["Seen a surgeon?"]


def test_service_line_detail_by_slug(client_for, coordinator):
    ServiceLineFactory(slug="oncology", name="Oncology")
    client = client_for(coordinator)

    assert client.get("/api/v1/service-lines/oncology/").json()["name"] == "Oncology"
    assert client.get("/api/v1/service-lines/podiatry/").status_code == 404


def test_location_detail_shows_business_hours(client_for, coordinator):
    location = LocationFactory(slug="north", time_zone="America/Denver")
    BusinessHoursFactory(location=location, weekday=0, opens_at="08:00", closes_at="17:00")

    body = client_for(coordinator).get("/api/v1/locations/north/").json()

    assert body["time_zone"] == "America/Denver"
    assert body["business_hours"] == [
        {"weekday": 0, "opens_at": "08:00:00", "closes_at": "17:00:00"}
    ]
    assert body["upcoming_holidays"] == []


def test_locations_list(client_for, coordinator):
    LocationFactory(slug="north", name="North Campus")

    assert [row["slug"] for row in client_for(coordinator).get("/api/v1/locations/").json()] == [
        "north"
    ]


def test_stages_list_in_pipeline_order(client_for, coordinator):
    body = client_for(coordinator).get("/api/v1/stages/").json()

    assert [stage["slug"] for stage in body][:3] == ["new", "attempting-contact", "contacted"]
    assert {stage["slug"]: stage["kind"] for stage in body}["completed"] == "won"


def test_stage_detail_and_404(client_for, coordinator):
    client = client_for(coordinator)

    assert client.get("/api/v1/stages/not-ready/").json()["kind"] == "nurture"
    assert client.get("/api/v1/stages/won-big/").status_code == 404


def test_teams_list_members_and_coverage(client_for, coordinator, team):
    team.service_lines.add(ServiceLineFactory(slug="orthopedics"))

    body = client_for(coordinator).get(f"/api/v1/teams/{team.pk}/").json()

    assert [member["id"] for member in body["members"]] == [coordinator.pk]
    assert [line["slug"] for line in body["service_lines"]] == ["orthopedics"]


@pytest.mark.parametrize("count", [2, 12])
def test_teams_list_costs_the_same_queries_for_2_or_12_teams(
    client_for, manager, django_assert_num_queries, count
):
    for _ in range(count):
        team = TeamFactory(team_lead=UserFactory())
        TeamMembershipFactory(team=team)
        team.locations.add(LocationFactory())
    client = client_for(manager)

    # token + teams with leads + service lines + locations + members
    with django_assert_num_queries(5):
        response = client.get("/api/v1/teams/")

    assert len(response.json()) == count
