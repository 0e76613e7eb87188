"""intake_submit: what one inquiry writes, what it reuses, and that it is all or nothing."""

import threading

import pytest
from django.db import connection, connections, transaction

from apps.core.db import advisory_xact_lock
from apps.intake.services import IntakeResult, intake_submit
from apps.leads.models import Lead
from apps.people.models import Consent, Person
from apps.referral_sources.models import ReferralSource
from tests.factories import PersonFactory, ReferralSourceFactory
from tests.intake.payloads import CONSENT_WORDING, intake_payload, minimal_payload, saved_counts

VALID_NPI = "1234567893"  # the check digit matches

pytestmark = pytest.mark.django_db


# --- The result other code hooks into -----------------------------------------


def test_a_new_inquiry_returns_201_the_lead_and_not_duplicate(intake_key, orthopedics):
    result = intake_submit(
        intake_key=intake_key,
        lead_type="patient",
        channel="phone",
        service_line=orthopedics,
        person={"first_name": "Ana", "phone": "+13125550101"},
    )

    assert isinstance(result, IntakeResult)
    assert (result.status_code, result.duplicate, result.replayed) == (201, False, False)
    assert result.lead == Lead.objects.get()
    assert result.body["id"] == result.lead.pk


def test_a_repeat_inquiry_returns_200_the_open_lead_and_duplicate(intake_key, orthopedics):
    person = {"first_name": "Ana", "phone": "+13125550101"}
    first = intake_submit(
        intake_key=intake_key,
        lead_type="patient",
        channel="phone",
        service_line=orthopedics,
        person=person,
    )

    repeat = intake_submit(
        intake_key=intake_key,
        lead_type="patient",
        channel="web_form",
        service_line=orthopedics,
        person=person,
    )

    assert (repeat.status_code, repeat.duplicate) == (200, True)
    assert repeat.lead.pk == first.lead.pk


# --- People ---------------------------------------------------------------------


def test_a_known_person_is_reused_for_a_new_lead(post_intake, cardiology):
    known = PersonFactory(first_name="Ana", phone="+13125550101", email="")
    body = minimal_payload(phone="312 555 0101")
    body["person"]["first_name"] = "ana"
    body["service_line"] = "cardiology"

    post_intake(body)

    assert Person.objects.count() == 1
    assert Lead.objects.get().person == known


def test_someone_else_on_the_same_phone_is_a_new_person(post_intake, cardiology):
    PersonFactory(first_name="Ana", phone="+13125550101")
    body = minimal_payload(phone="3125550101")
    body["person"]["first_name"] = "Luis"
    body["service_line"] = "cardiology"

    post_intake(body)

    assert Person.objects.count() == 2


def test_a_caregiver_is_saved_and_linked_to_the_patient(post_intake):
    body = intake_payload()
    body["lead_type"] = "caregiver"
    body["caregiver"] = {"first_name": "Rosa", "last_name": "Diaz", "phone": "(312) 555-0177"}

    post_intake(body)

    lead = Lead.objects.select_related("person", "caregiver").get()
    assert lead.caregiver.first_name == "Rosa"
    assert str(lead.caregiver.phone) == "+13125550177"
    assert lead.caregiver.patient == lead.person
    assert lead.person.patient is None


def test_the_caregivers_contact_is_enough_when_the_patient_has_none(post_intake):
    body = minimal_payload()
    body["caregiver"] = {"first_name": "Rosa", "email": "rosa@example.com"}

    response = post_intake(body)

    assert response.status_code == 201
    assert Lead.objects.get().caregiver.email == "rosa@example.com"


def test_a_known_caregiver_is_linked_to_the_patient_they_inquire_for(post_intake):
    rosa = PersonFactory(first_name="Rosa", phone="+13125550177", patient=None)
    body = intake_payload()
    body["caregiver"] = {"first_name": "Rosa", "phone": "312-555-0177"}

    post_intake(body)

    rosa.refresh_from_db()
    assert rosa.patient == Lead.objects.get().person
    assert Person.objects.count() == 2


def test_consent_ticked_by_a_caregiver_is_theirs(post_intake):
    body = intake_payload()
    body["caregiver"] = {"first_name": "Rosa", "phone": "(312) 555-0177"}

    post_intake(body)

    assert {c.person for c in Consent.objects.all()} == {Lead.objects.get().caregiver}


# --- Consent --------------------------------------------------------------------


def test_form_consent_covers_care_coordination_only(post_intake):
    post_intake(intake_payload())

    assert set(Consent.objects.values_list("purpose", flat=True)) == {"care_coordination"}


def test_form_consent_covers_marketing_when_the_form_says_so(post_intake):
    body = intake_payload()
    body["consent"]["marketing"] = True

    post_intake(body)

    assert sorted(Consent.objects.values_list("channel", "purpose")) == [
        ("email", "care_coordination"),
        ("email", "marketing"),
        ("phone", "care_coordination"),
        ("phone", "marketing"),
    ]
    assert set(Consent.objects.values_list("wording", flat=True)) == {CONSENT_WORDING}


def test_unticked_boxes_record_nothing(post_intake):
    body = intake_payload()
    body["consent"] = {"email": False, "sms": False, "phone": False, "text": CONSENT_WORDING}

    post_intake(body)

    assert Consent.objects.count() == 0


# --- Referral sources -----------------------------------------------------------


def test_two_intakes_with_one_npi_share_one_referral_source(post_intake, cardiology):
    first = intake_payload()
    first["lead_type"] = "physician_referral"
    first["referral_source"] = {"npi": VALID_NPI, "name": "Dr. Priya Shah"}
    second = minimal_payload(email="second.patient@example.com")
    second["service_line"] = "cardiology"
    second["referral_source"] = {"npi": VALID_NPI, "name": "Shah, Priya MD", "organization": "X"}

    post_intake(first)
    post_intake(second)

    source = ReferralSource.objects.get()
    assert (source.npi, source.kind, source.name) == (VALID_NPI, "provider", "Dr. Priya Shah")
    assert set(Lead.objects.values_list("referral_source", flat=True)) == {source.pk}


def test_a_known_npi_is_matched_whatever_name_is_typed(post_intake):
    known = ReferralSourceFactory(npi=VALID_NPI, name="Priya Shah")
    body = intake_payload()
    body["referral_source"] = {"npi": VALID_NPI, "name": "Dr Shah"}

    post_intake(body)

    assert Lead.objects.get().referral_source == known
    assert ReferralSource.objects.count() == 1


def test_a_source_without_npi_is_matched_by_name_and_organization_in_any_case(
    post_intake, cardiology
):
    first = intake_payload()
    first["referral_source"] = {"name": "Jane Roe", "organization": "Mercy Home Health"}
    second = minimal_payload(email="second.patient@example.com")
    second["service_line"] = "cardiology"
    second["referral_source"] = {"name": "JANE ROE", "organization": "mercy home health"}

    post_intake(first)
    post_intake(second)

    source = ReferralSource.objects.get()
    assert (source.name, source.organization_name, source.npi) == (
        "Jane Roe",
        "Mercy Home Health",
        None,
    )


@pytest.mark.parametrize(
    ("lead_type", "given", "kind"),
    [
        ("patient", {"name": "Jane Roe"}, "provider"),
        ("patient", {"organization": "Lakeside Clinic"}, "organization"),
        ("employer", {"organization": "Acme Logistics"}, "employer"),
    ],
)
def test_a_new_source_without_npi_gets_a_sensible_kind(post_intake, lead_type, given, kind):
    body = intake_payload()
    body["lead_type"] = lead_type
    body["referral_source"] = given

    post_intake(body)

    assert ReferralSource.objects.get().kind == kind


def test_an_empty_referral_source_block_names_nobody(post_intake):
    body = intake_payload()
    body["referral_source"] = {"npi": "", "name": "", "organization": ""}

    post_intake(body)

    assert Lead.objects.get().referral_source is None
    assert ReferralSource.objects.count() == 0


# --- All or nothing -------------------------------------------------------------


@pytest.fixture
def consent_insert_fails(transactional_db):
    """A real failure late in the intake: the database refuses the consent rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION intake_test_refuse_consent() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'consent table refused the row'; END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER intake_test_refuse_consent BEFORE INSERT ON people_consent
            FOR EACH ROW EXECUTE FUNCTION intake_test_refuse_consent();
            """
        )
    yield
    # Transactional tests keep DDL: take it away, or it fails every later test.
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER intake_test_refuse_consent ON people_consent;"
            "DROP FUNCTION intake_test_refuse_consent();"
        )


@pytest.mark.django_db(transaction=True)
def test_a_failure_late_in_the_intake_saves_nothing_at_all(
    consent_insert_fails, api_client, post_intake
):
    body = intake_payload()
    body["lead_type"] = "physician_referral"
    body["referral_source"] = {"npi": VALID_NPI, "name": "Dr. Priya Shah"}
    body["caregiver"] = {"first_name": "Rosa", "phone": "312-555-0177"}
    before = saved_counts()
    api_client.raise_request_exception = False

    response = post_intake(body, HTTP_IDEMPOTENCY_KEY="k-fail")

    assert response.status_code == 500
    assert saved_counts() == before
    assert before["Lead"] == 0


# --- Concurrency ----------------------------------------------------------------


def _in_threads(count: int, work) -> list:
    """Run `work` in `count` threads released together; each has its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # surfaced in the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_inquiries_from_one_person_open_one_lead(intake_key, orthopedics):
    def submit(index: int) -> IntakeResult:
        return intake_submit(
            intake_key=intake_key,
            lead_type="patient",
            channel="web_form",
            service_line=orthopedics,
            person={"first_name": "Ana", "phone": "+13125550101", "email": "ana@example.com"},
        )

    results = _in_threads(4, submit)

    assert sorted(r.status_code for r in results) == [200, 200, 200, 201]
    lead = Lead.objects.get()
    assert lead.touch_count == 4
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_one_request_save_it_once(intake_key, orthopedics):
    def submit(index: int) -> IntakeResult:
        return intake_submit(
            intake_key=intake_key,
            lead_type="patient",
            channel="web_form",
            service_line=orthopedics,
            person={"first_name": "Ana", "phone": "+13125550101"},
            idempotency_key="same-submit",
            request_fingerprint="f" * 64,
        )

    results = _in_threads(4, submit)

    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert {r.body["id"] for r in results} == {Lead.objects.get().pk}
    assert Lead.objects.get().touch_count == 1


@pytest.mark.django_db(transaction=True)
def test_an_intake_waits_for_another_holding_the_same_contact(intake_key, orthopedics):
    """The lock is what makes the two tests above hold, not luck in timing."""
    finished = threading.Event()

    def submit() -> None:
        try:
            intake_submit(
                intake_key=intake_key,
                lead_type="patient",
                channel="web_form",
                service_line=orthopedics,
                person={"first_name": "Ana", "phone": "+13125550101"},
            )
            finished.set()
        finally:
            connections.close_all()

    with transaction.atomic():
        advisory_xact_lock("intake-contact", "phone:+13125550101")
        thread = threading.Thread(target=submit)
        thread.start()
        assert not finished.wait(timeout=0.5)
    assert finished.wait(timeout=10)
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_sightings_of_one_npi_make_one_referral_source(intake_key, orthopedics):
    def submit(index: int) -> IntakeResult:
        return intake_submit(
            intake_key=intake_key,
            lead_type="physician_referral",
            channel="referral",
            service_line=orthopedics,
            person={"first_name": f"Patient {index}", "phone": f"+1312555010{index}"},
            referral_source={"npi": VALID_NPI, "name": "Dr. Priya Shah"},
        )

    results = _in_threads(4, submit)

    source = ReferralSource.objects.get()
    assert {r.lead.referral_source_id for r in results} == {source.pk}
    assert Lead.objects.count() == 4
