"""The access log: each kind of read of patient information writes one entry naming
who, what, how and from where; the table refuses to be rewritten."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.audit.models import AccessLogEntry
from apps.audit.tasks import access_log_partitions_ensure
from apps.intake.staff import staff_inquiry_duplicate
from apps.leads.merging import lead_merge
from apps.safety.models import LeadSafetyFlag
from tests.factories import (
    LeadFactory,
    PersonFactory,
    ReferralSourceFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/140"


@pytest.fixture
def team(db):
    return TeamFactory(name="Spine intake", slug="spine-intake")


@pytest.fixture
def coordinator(team):
    user = UserFactory(username="ines", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def leads(team):
    return [
        LeadFactory(team=team, created_at=timezone.now() - dt.timedelta(hours=n)) for n in (1, 2, 3)
    ]


@pytest.fixture
def browser(client, coordinator):
    client.force_login(coordinator)
    client.defaults.update(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.20.30.40")
    return client


@pytest.fixture
def api(coordinator):
    client = APIClient(HTTP_USER_AGENT="vendor-sync/1.2", REMOTE_ADDR="10.9.8.7")
    token, _ = Token.objects.get_or_create(user=coordinator)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def only_entry() -> AccessLogEntry:
    (entry,) = AccessLogEntry.objects.all()
    return entry


def test_the_lead_page_records_who_what_how_and_from_where(browser, coordinator, leads):
    lead = leads[0]
    browser.get(reverse("queue:lead", args=[lead.pk]))

    entry = only_entry()
    assert (entry.user_id, entry.username, entry.roles) == (
        coordinator.pk,
        "ines",
        "intake coordinator",
    )
    assert entry.what == "lead page"
    assert lead.pk in entry.lead_ids and entry.person_ids == [lead.person_id]
    assert (entry.method, entry.path, entry.view_name) == (
        "GET",
        f"/leads/{lead.pk}/",
        "queue:lead",
    )
    assert (entry.ip, entry.user_agent, entry.via) == ("10.20.30.40", BROWSER, "session")
    assert timezone.now() - entry.accessed_at < dt.timedelta(seconds=30)


def test_an_api_lead_list_records_the_ids_of_its_page_in_one_entry(api, leads):
    response = api.get("/api/v1/leads/?page_size=2")

    entry = only_entry()
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 2
    assert entry.lead_ids == sorted(shown)
    assert sorted(entry.person_ids) == sorted(lead.person_id for lead in leads if lead.pk in shown)
    assert (entry.what, entry.via, entry.ip) == ("lead list (API)", "token", "10.9.8.7")


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("/api/v1/leads/{lead}/", "lead"),
        ("/api/v1/leads/{lead}/activities/", "timeline"),
        ("/api/v1/people/{person}/", "person"),
    ],
)
def test_each_api_read_of_a_patient_is_recorded(api, leads, url, what):
    lead = leads[0]
    api.get(url.format(lead=lead.pk, person=lead.person_id))

    entry = only_entry()
    assert entry.what == what
    assert lead.person_id in entry.person_ids


def test_the_people_list_records_the_people_of_its_page(api, leads):
    response = api.get("/api/v1/people/")

    assert only_entry().person_ids == sorted(row["id"] for row in response.json()["results"])


def test_a_queue_search_records_the_leads_shown_and_not_the_words_searched(browser, leads):
    person = leads[1].person
    browser.post(reverse("queue:index"), {"q": person.last_name})
    browser.get(reverse("queue:index"), {"q": person.last_name})

    searches = AccessLogEntry.objects.filter(what="queue search")
    assert searches.exists()
    for entry in searches:
        assert leads[1].pk in entry.lead_ids
        assert person.last_name not in entry.path


def test_the_global_search_records_the_leads_and_people_shown_not_the_words(browser, leads):
    person = leads[1].person

    browser.post(reverse("search:index"), {"q": person.last_name})

    entry = AccessLogEntry.objects.get(what="search results")
    assert leads[1].pk in entry.lead_ids and person.pk in entry.person_ids
    assert person.last_name not in entry.path


def test_the_merge_screen_records_both_leads(browser, team):
    person = PersonFactory()
    one, two = LeadFactory(team=team, person=person), LeadFactory(team=team, person=person)

    browser.get(reverse("queue:lead_merge", args=[one.pk]), {"duplicate": two.pk})

    entry = only_entry()
    assert (entry.what, entry.lead_ids) == ("merge screen", sorted([one.pk, two.pk]))


def test_a_read_that_cannot_be_recorded_is_not_shown(browser, leads):
    # A real failure of the database, not a stand-in: a trigger refusing every insert.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$;
            CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_accesslog
                FOR EACH ROW EXECUTE FUNCTION test_refuse_insert();
            """
        )
    with pytest.raises(DatabaseError, match="disk full"), transaction.atomic():
        browser.get(reverse("queue:lead", args=[leads[0].pk]))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslog SET username = 'someone else'",
        "DELETE FROM audit_accesslog",
        "TRUNCATE audit_accesslog",
        "TRUNCATE {partition}",
        "UPDATE {partition} SET reason = 'edited'",
        "DELETE FROM {partition}",
    ],
)
def test_postgresql_refuses_to_rewrite_the_log(browser, leads, statement):
    browser.get(reverse("queue:lead", args=[leads[0].pk]))
    first = timezone.now().date().replace(day=1)
    partition = f"audit_accesslog_y{first:%Y}m{first:%m}"

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(partition=partition))

    assert only_entry().username == "ines"


def test_beat_makes_the_coming_months_partitions(db):
    assert access_log_partitions_ensure() == 4
    assert access_log_partitions_ensure() == 4  # twice is harmless
    first = timezone.now().date().replace(day=1)
    in_three_months = (first + dt.timedelta(days=31 * 3)).replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL",
            [f"audit_accesslog_y{in_three_months:%Y}m{in_three_months:%m}"],
        )
        assert cursor.fetchone()[0]


def test_a_read_months_away_from_any_partition_is_still_recorded(
    client, coordinator, leads, time_machine
):
    time_machine.move_to(timezone.now() + dt.timedelta(days=400))
    client.force_login(coordinator)  # the earlier session would have expired
    client.get(reverse("queue:lead", args=[leads[0].pk]))
    entry = only_entry()
    assert entry.what == "lead page"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accesslog_default")
        assert cursor.fetchone()[0] == 1


def test_a_merge_itself_writes_no_read_entry(coordinator, team):
    person = PersonFactory()
    one, two = LeadFactory(team=team, person=person), LeadFactory(team=team, person=person)
    lead_merge(survivor=one, duplicate=two, actor=coordinator)
    assert not AccessLogEntry.objects.exists()


def test_behind_a_proxy_the_log_names_the_client_not_the_proxy(
    client, coordinator, leads, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client.force_login(coordinator)

    client.get(
        reverse("queue:lead", args=[leads[0].pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    client.get(
        reverse("queue:lead", args=[leads[1].pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )

    ips = list(AccessLogEntry.objects.order_by("id").values_list("ip", flat=True))
    assert ips == ["203.0.113.9", None]


# --- Every other page that names a patient -------------------------------------------


def test_the_lead_nurture_page_records_the_lead_and_person(browser, leads):
    lead = leads[0]
    response = browser.get(reverse("nurture:lead", args=[lead.pk]))

    assert lead.person.display_name in response.content.decode()
    entry = only_entry()
    assert (entry.what, entry.lead_ids, entry.person_ids) == (
        "nurture page",
        [lead.pk],
        [lead.person_id],
    )
    assert entry.view_name == "nurture:lead"


def test_the_lead_routing_page_records_the_lead_and_person(client, leads):
    lead = leads[0]
    client.force_login(UserFactory(username="mo", roles=[Role.MANAGER]))

    assert client.get(reverse("routing:lead", args=[lead.pk])).status_code == 200

    entry = only_entry()
    assert (entry.what, entry.lead_ids, entry.person_ids) == (
        "lead routing page",
        [lead.pk],
        [lead.person_id],
    )


def test_the_queue_records_the_people_it_names(browser, coordinator, leads):
    for lead in leads:
        lead.owner = coordinator
        lead.save(update_fields=["owner"])

    browser.get(reverse("queue:index"))

    entry = AccessLogEntry.objects.get(what="queue")
    assert set(entry.person_ids) == {lead.person_id for lead in leads}


def test_the_queues_safety_banner_records_the_person_it_names(browser, leads):
    lead = leads[0]
    LeadSafetyFlag.objects.create(lead=lead, category="cardiac", matched_words=["chest pain"])

    response = browser.get(reverse("queue:index"))

    assert "chest pain" in response.content.decode()
    entry = AccessLogEntry.objects.get(what="safety banner")
    assert (entry.lead_ids, entry.person_ids) == ([lead.pk], [lead.person_id])


def test_the_referral_lead_page_records_the_lead_only(client, team):
    liaison = UserFactory(username="lia", roles=[Role.LIAISON])
    lead = LeadFactory(referral_source=ReferralSourceFactory(owning_liaison=liaison))
    client.force_login(liaison)

    assert client.get(reverse("referrals:lead_referral", args=[lead.pk])).status_code == 200

    entry = only_entry()
    assert (entry.what, entry.lead_ids, entry.person_ids) == (
        "referral lead page (de-identified)",
        [lead.pk],
        [],
    )


def test_a_new_inquirys_duplicate_warning_records_the_person_it_names(coordinator, leads):
    lead = leads[0]
    found, visible = staff_inquiry_duplicate(
        user=coordinator, service_line=lead.service_line, phone=str(lead.person.phone), email=""
    )

    assert (found, visible) == (lead, True)
    entry = only_entry()
    assert (entry.what, entry.person_ids) == ("new inquiry: duplicate warning", [lead.person_id])


def test_another_teams_duplicate_is_not_named_and_not_recorded(leads):
    outsider = UserFactory(username="oz", roles=[Role.INTAKE_COORDINATOR])
    lead = leads[0]
    _, visible = staff_inquiry_duplicate(
        user=outsider, service_line=lead.service_line, phone=str(lead.person.phone), email=""
    )

    assert not visible
    assert not AccessLogEntry.objects.exists()
