"""POST /api/v1/intake/: the public contract, outcome by outcome."""

import datetime as dt
import json

import pytest

from apps.intake.models import IdempotencyRecord
from apps.intake.services import intake_key_create
from apps.leads.models import Activity, Lead
from apps.leads.services import lead_stage_change
from apps.people.models import Consent, Person
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import ServiceLineFactory
from tests.intake.payloads import (
    CONSENT_WORDING,
    PATIENT_FIRST_NAME,
    intake_payload,
    minimal_payload,
    saved_counts,
)

pytestmark = pytest.mark.django_db


# --- 201: a new lead --------------------------------------------------------


def test_new_inquiry_answers_201_with_the_lead(post_intake):
    response = post_intake(intake_payload())

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert response.json() == {
        "id": lead.pk,
        "stage": "new",
        "service_line": "orthopedics",
        "created_at": lead.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "duplicate": False,
        "safety": None,
    }
    assert "Idempotent-Replayed" not in response.headers


def test_new_inquiry_saves_the_person_with_phone_in_e164(post_intake):
    post_intake(intake_payload())

    person = Person.objects.get()
    assert person.first_name == PATIENT_FIRST_NAME
    assert str(person.phone) == "+13125550142"
    assert person.email == "Patient.One@Example.com"
    assert person.date_of_birth == dt.date(1961, 4, 9)
    assert person.preferred_language == "es"
    assert person.postal_code == "60601"
    assert person.patient is None


def test_new_inquiry_opens_a_lead_at_new_with_its_attribution(
    post_intake, intake_key, orthopedics, riverside
):
    post_intake(intake_payload())

    lead = Lead.objects.select_related("stage").get()
    assert lead.stage.slug == "new"
    assert (lead.lead_type, lead.channel, lead.urgency) == ("patient", "web_form", "soon")
    assert lead.service_line == orthopedics
    assert lead.location == riverside
    assert lead.person == Person.objects.get()
    assert (lead.payer, lead.condition_interest) == ("Blue Cross PPO", "Knee replacement")
    assert lead.message == "Knee pain for a year; would like a consult."
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign) == ("google", "cpc", "ortho-knee")
    assert (lead.utm_term, lead.utm_content) == ("knee surgeon", "ad-2")
    assert lead.landing_page == "https://hospital.example.org/orthopedics/knee"
    assert lead.external_id == "wf-1001"
    assert lead.captured_via == intake_key.name
    assert (lead.first_touch_channel, lead.latest_touch_channel) == ("web_form", "web_form")
    assert lead.touch_count == 1
    assert lead.owner is None and lead.team is None  # routing comes later, not here


def test_new_inquiry_is_an_inbound_inquiry_on_the_timeline(post_intake):
    post_intake(intake_payload())

    activity = Activity.objects.get()
    assert (activity.kind, activity.direction, activity.channel) == (
        "inquiry",
        "inbound",
        "web_form",
    )
    assert activity.body == "Knee pain for a year; would like a consult."
    assert activity.author is None


def test_ticked_consent_boxes_are_recorded_for_care_coordination_with_their_wording(
    post_intake, intake_key
):
    post_intake(intake_payload())

    consents = Consent.objects.order_by("channel")
    assert [(c.channel, c.purpose, c.status) for c in consents] == [
        ("email", "care_coordination", "granted"),
        ("phone", "care_coordination", "granted"),
    ]
    assert {c.wording for c in consents} == {CONSENT_WORDING}
    assert {c.method for c in consents} == {"web_form"}
    assert {c.person for c in consents} == {Person.objects.get()}
    assert all(intake_key.name in c.source for c in consents)


def test_only_the_required_fields_are_enough(post_intake):
    response = post_intake(minimal_payload(phone="312.555.0199"))

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.location, lead.urgency, lead.referral_source) == (None, "routine", None)
    assert Consent.objects.count() == 0


def test_an_email_alone_is_a_way_to_reach_the_person(post_intake):
    assert post_intake(minimal_payload(email="only.email@example.com")).status_code == 201


@pytest.mark.parametrize(
    "typed",
    [
        "(312) 555-0142",
        "312-555-0142",
        "312.555.0142",
        "3125550142",
        "+1 312 555 0142",
        "1-312-555-0142",
    ],
)
def test_phones_in_any_common_us_format_are_stored_in_e164(post_intake, typed):
    post_intake(minimal_payload(phone=typed))

    assert str(Person.objects.get().phone) == "+13125550142"


def test_null_optional_fields_count_as_empty(post_intake):
    body = minimal_payload(phone="3125550142", email=None, last_name=None)
    body.update(payer=None, location=None, caregiver=None, consent=None, utm=None)

    assert post_intake(body).status_code == 201
    assert Lead.objects.get().payer == ""


def test_the_intake_query_count_is_pinned(post_intake, intake_key, django_assert_num_queries):
    # A warm process: reference data (key, service lines, locations, stages) cached by
    # earlier inquiries, and the key's use within the minute noted (which clears the
    # cached key: the second inquiry reads it again).
    post_intake(_another_persons_inquiry())
    post_intake(minimal_payload(phone="(773) 555-0101"))
    body = intake_payload()

    # SAVEPOINT (the test's transaction wraps the intake's); both contact locks in one
    # statement; contact on file?; the person, the lead, its inquiry, the consents (one
    # INSERT each); the hospital's safety phrases and the built-in ones switched off
    # (read on every inquiry so a manager's change applies to the next); RELEASE. No
    # query for the key, service line, location or the webhook endpoints that want
    # lead.created (reference cache), no savepoints of nested services, and routing is
    # queued on commit.
    with django_assert_num_queries(10):
        response = post_intake(body)

    assert response.status_code == 201


def test_a_cold_process_reads_each_reference_table_once(post_intake, django_assert_num_queries):
    # The 10 of a warm intake, plus the active keys, service lines, locations, stages
    # and webhook endpoints, each read whole once, and the key's last use noted.
    with django_assert_num_queries(16):
        post_intake(intake_payload())

    # The key again (its cached copy was cleared when its use was noted), then warm.
    with django_assert_num_queries(11):
        post_intake(_another_persons_inquiry())
    with django_assert_num_queries(10):
        post_intake(_another_persons_inquiry(number=101))


def _another_persons_inquiry(number: int = 100) -> dict:
    body = intake_payload()
    body["person"].update(phone=f"(773) 555-0{number}", email=f"person.{number}@example.com")
    return body


def test_the_repeat_inquiry_query_count_is_pinned(
    post_intake, intake_key, django_assert_num_queries
):
    post_intake(intake_payload())
    post_intake(_another_persons_inquiry())  # the key cached again after its use noted
    repeat = minimal_payload(phone="312-555-0142")

    # SAVEPOINT; contact lock; contact on file?; open lead; touch UPDATE, re-read,
    # inquiry (lead_add_touch); the lead with owner and team lead for the
    # repeat-inquiry alert (nobody to alert yet); RELEASE (no message: no safety
    # phrases to read). The stage comes from the reference cache.
    with django_assert_num_queries(9):
        response = post_intake(repeat)

    assert response.status_code == 200


# --- 400: bad input, nothing saved -------------------------------------------

DELETE = object()


def _set(body: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        body = body[name]
    if value is DELETE:
        body.pop(leaf, None)
    else:
        body[leaf] = value


def _errors_at(errors, path: str):
    for name in path.split("."):
        errors = errors[name]
    return errors


BAD_INPUTS = [
    ("lead_type", "prospect"),
    ("lead_type", DELETE),
    ("lead_type", ["patient"]),
    ("channel", "fax"),
    ("channel", DELETE),
    ("service_line", "orthopaedics"),
    ("service_line", "bariatrics"),  # exists, switched off
    ("service_line", DELETE),
    ("service_line", 7),
    ("location", "nowhere-campus"),
    ("urgency", "asap"),
    ("person.phone", "555-0142"),
    ("person.phone", "call me maybe"),
    ("person.phone", 3125550142),
    ("person.phone", "3" * 300),
    ("person.email", "patient@"),
    ("person.first_name", "x" * 101),
    ("person.first_name", 42),
    ("person.last_name", "x" * 101),
    ("person.date_of_birth", "1961-02-30"),
    ("person.date_of_birth", "04/09/1961"),
    ("person.date_of_birth", (dt.date.today() + dt.timedelta(days=2)).isoformat()),
    ("person.preferred_language", "Spanish please"),
    ("person.postal_code", "60601-12345"),
    ("person", "Maria Lopez"),
    ("caregiver.phone", "12"),
    ("caregiver.email", "not-an-email"),
    ("referral_source.npi", "1234567890"),  # check digit wrong
    ("referral_source.npi", "12345"),
    ("referral_source.name", "x" * 201),
    ("referral_source.organization", "x" * 201),
    ("consent.text", ""),  # boxes ticked without the wording shown
    ("consent.email", "maybe"),
    ("consent.text", "x" * 5001),
    ("payer", "x" * 121),
    ("condition_interest", "x" * 201),
    ("message", "x" * 5001),
    ("message", {"text": "hello"}),
    ("utm", ["google"]),
    ("utm.source", "x" * 201),
    ("utm.campaign", 2024),
    ("landing_page", "not a url"),
    ("landing_page", "https://example.org/" + "x" * 2000),
    ("external_id", "x" * 129),
]


@pytest.mark.parametrize(("path", "value"), BAD_INPUTS, ids=[p for p, _ in BAD_INPUTS])
def test_bad_input_is_answered_400_naming_the_field_and_nothing_is_saved(post_intake, path, value):
    ServiceLineFactory(slug="bariatrics", is_active=False)
    body = intake_payload()
    body["caregiver"] = {"first_name": "Ana", "phone": "312-555-0150"}
    body["referral_source"] = {"npi": "", "name": "Dr. Nobody", "organization": "Lakeside"}
    _set(body, path, value)
    before = saved_counts()

    response = post_intake(body)

    assert response.status_code == 400, response.json()
    messages = _errors_at(response.json(), path)
    assert messages and all(isinstance(m, str) and m for m in messages)
    assert saved_counts() == before


def test_every_invalid_field_is_named_in_one_answer(post_intake):
    body = intake_payload()
    body["lead_type"] = "prospect"
    body["person"]["phone"] = "123"
    body["person"]["email"] = "nope"
    body["referral_source"] = {"npi": "1234567890"}

    errors = post_intake(body).json()

    assert set(errors) == {"lead_type", "person", "referral_source"}
    assert set(errors["person"]) == {"phone", "email"}
    assert "npi" in errors["referral_source"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("service_line", "orthopaedics", 'Unknown service line "orthopaedics".'),
        ("service_line", "bariatrics", 'The service line "bariatrics" is not taking inquiries.'),
        ("location", "nowhere", 'Unknown location "nowhere".'),
        ("lead_type", "prospect", '"prospect" is not one of: patient, caregiver, '),
        ("person.date_of_birth", "2999-01-01", "A date of birth cannot be in the future."),
        ("consent.text", "", "Give the exact wording shown next to the consent boxes."),
        ("referral_source.npi", "1234567890", "Enter a valid 10-digit NPI"),
    ],
)
def test_bad_input_messages_say_what_is_wrong(post_intake, path, value, expected):
    ServiceLineFactory(slug="bariatrics", is_active=False)
    body = intake_payload()
    body["referral_source"] = {"npi": "", "name": "Dr. Nobody"}
    _set(body, path, value)

    messages = _errors_at(post_intake(body).json(), path)

    assert messages[0].startswith(expected)


def test_an_inquiry_with_no_way_to_reach_anyone_is_refused(post_intake):
    body = minimal_payload(phone="", email="")

    response = post_intake(body)

    assert response.status_code == 400
    assert "phone number or an email" in response.json()["person"][0]
    assert Person.objects.count() == 0


def test_marketing_consent_without_a_ticked_channel_is_refused(post_intake):
    body = intake_payload()
    body["consent"] = {"email": False, "marketing": True, "text": CONSENT_WORDING}

    response = post_intake(body)

    assert response.status_code == 400
    assert "marketing" in response.json()["consent"]


def test_malformed_json_is_answered_400_and_nothing_is_saved(post_intake):
    response = post_intake('{"lead_type": "patient", "channel": ')

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert Lead.objects.count() == 0


def test_a_json_array_instead_of_an_object_is_answered_400(post_intake):
    response = post_intake(json.dumps([intake_payload()]))

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_form_encoded_body_is_answered_415(api_client, intake_url, raw_key, orthopedics):
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    response = api_client.post(intake_url, data={"lead_type": "patient"})

    assert response.status_code == 415


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "text/plain;q=0.5"])
def test_any_accept_header_gets_the_answer_in_json_and_the_lead_saved(post_intake, accept):
    response = post_intake(intake_payload(), HTTP_ACCEPT=accept)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert Lead.objects.filter(pk=response.json()["id"]).exists()


# --- 413 --------------------------------------------------------------------


def test_a_body_over_64_kib_is_answered_413_and_nothing_is_saved(post_intake, settings):
    body = intake_payload()
    body["padding"] = "x" * settings.INTAKE_MAX_BODY_BYTES

    response = post_intake(body)

    assert response.status_code == 413
    assert Lead.objects.count() == 0


def test_a_body_just_under_the_limit_is_read(post_intake, settings):
    body = intake_payload()
    size = len(json.dumps(body)) + len(', "padding": ""')
    body["padding"] = "x" * (settings.INTAKE_MAX_BODY_BYTES - size)
    assert len(json.dumps(body)) == settings.INTAKE_MAX_BODY_BYTES

    assert post_intake(body).status_code == 201


def test_a_declared_length_over_the_limit_is_refused_unread(post_intake, settings):
    response = post_intake(intake_payload(), CONTENT_LENGTH=str(settings.INTAKE_MAX_BODY_BYTES + 1))

    assert response.status_code == 413


# --- Repeat inquiries -------------------------------------------------------


def test_repeat_inquiry_with_the_phone_in_another_format_joins_the_open_lead(post_intake):
    first = post_intake(intake_payload()).json()
    repeat = minimal_payload(phone="+1 312-555-0142")
    repeat["channel"] = "phone"

    response = post_intake(repeat)

    assert response.status_code == 200
    assert response.json() == {**first, "duplicate": True}
    lead = Lead.objects.get()
    assert lead.touch_count == 2
    assert (lead.first_touch_channel, lead.latest_touch_channel) == ("web_form", "phone")
    assert Activity.objects.filter(lead=lead, kind="inquiry").count() == 2


def test_repeat_inquiry_with_the_email_in_another_case_joins_the_open_lead(post_intake):
    first = post_intake(intake_payload()).json()
    repeat = minimal_payload(email="PATIENT.one@example.COM")
    repeat["channel"] = "chat"

    response = post_intake(repeat)

    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert response.json()["duplicate"] is True
    lead = Lead.objects.get()
    assert (lead.touch_count, lead.latest_touch_channel) == (2, "chat")


def test_repeat_inquiry_keeps_first_touch_attribution(post_intake):
    post_intake(intake_payload())
    repeat = minimal_payload(phone="3125550142")
    repeat["utm"] = {"source": "facebook", "campaign": "spring"}

    post_intake(repeat)

    lead = Lead.objects.get()
    assert (lead.utm_source, lead.utm_campaign) == ("google", "ortho-knee")
    touch = Activity.objects.filter(details__repeat=True).get()
    assert touch.details["utm_source"] == "facebook"


def test_consent_ticked_on_a_repeat_inquiry_is_recorded_too(post_intake):
    post_intake(intake_payload())
    repeat = minimal_payload(phone="3125550142")
    repeat["consent"] = {"sms": True, "text": "Texts about my inquiry are fine."}

    post_intake(repeat)

    sms = Consent.objects.get(channel="sms")
    assert (sms.purpose, sms.wording) == ("care_coordination", "Texts about my inquiry are fine.")
    assert sms.person == Lead.objects.get().person


def test_an_inquiry_for_another_service_line_opens_a_new_lead_for_the_same_person(
    post_intake, cardiology
):
    post_intake(intake_payload())
    other = intake_payload()
    other["service_line"] = "cardiology"

    response = post_intake(other)

    assert response.status_code == 201
    assert response.json()["duplicate"] is False
    assert Lead.objects.count() == 2
    assert Person.objects.count() == 1


def test_a_closed_lead_does_not_absorb_a_new_inquiry(post_intake):
    first = post_intake(intake_payload()).json()
    lead_stage_change(
        lead=Lead.objects.get(pk=first["id"]),
        to_stage=stage_get_by_slug("disqualified"),
        actor=None,
        lost_reason="not_a_candidate",
    )

    response = post_intake(intake_payload())

    assert response.status_code == 201
    assert response.json()["id"] != first["id"]
    assert Lead.objects.filter(closed_at__isnull=True).count() == 1


# --- Idempotency-Key --------------------------------------------------------


def test_a_replayed_idempotency_key_returns_the_first_answer_and_saves_nothing(post_intake):
    first = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="form-submit-81f3")
    after_first = saved_counts()

    replay = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="form-submit-81f3")

    assert first.status_code == 201
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert saved_counts() == after_first
    assert Lead.objects.get().touch_count == 1


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_idempotency_key_is_refused_with_400_and_nothing_saved(post_intake, blank):
    before = saved_counts()
    response = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY=blank)
    assert response.status_code == 400
    assert "Idempotency-Key header is empty" in response.json()["detail"]
    assert saved_counts() == before


def test_a_replay_does_not_depend_on_key_order_or_spacing(post_intake):
    body = intake_payload()
    post_intake(json.dumps(body), HTTP_IDEMPOTENCY_KEY="k-1")
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)

    replay = post_intake(reordered, HTTP_IDEMPOTENCY_KEY="k-1")

    assert replay.headers.get("Idempotent-Replayed") == "true"


def test_a_replay_answers_as_first_answered_even_after_the_service_line_closed(
    post_intake, orthopedics
):
    first = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k-2")
    orthopedics.is_active = False
    orthopedics.save()

    replay = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k-2")

    assert (replay.status_code, replay.json()) == (201, first.json())


def test_a_replayed_duplicate_answers_200_again(post_intake):
    post_intake(intake_payload())
    repeat = minimal_payload(phone="3125550142")
    first = post_intake(repeat, HTTP_IDEMPOTENCY_KEY="k-3")

    replay = post_intake(repeat, HTTP_IDEMPOTENCY_KEY="k-3")

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json()["duplicate"] is True
    assert Lead.objects.get().touch_count == 2


def test_an_idempotency_key_reused_with_another_body_is_answered_422(post_intake):
    post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k-4")
    after_first = saved_counts()
    other = intake_payload()
    other["message"] = "A different inquiry."

    response = post_intake(other, HTTP_IDEMPOTENCY_KEY="k-4")

    assert response.status_code == 422
    assert "different body" in response.json()["detail"]
    assert saved_counts() == after_first


def test_idempotency_keys_belong_to_one_intake_key(post_intake, cardiology):
    _chat_key, chat_raw = intake_key_create(name="chat-vendor")
    post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k-5")
    other = intake_payload()
    other["service_line"] = "cardiology"

    response = post_intake(other, key=chat_raw, HTTP_IDEMPOTENCY_KEY="k-5")

    assert response.status_code == 201
    assert IdempotencyRecord.objects.count() == 2


def test_a_refused_request_leaves_its_idempotency_key_free(post_intake):
    bad = intake_payload()
    bad["lead_type"] = "prospect"
    assert post_intake(bad, HTTP_IDEMPOTENCY_KEY="k-6").status_code == 400

    response = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k-6")

    assert response.status_code == 201


def test_an_idempotency_key_over_255_characters_is_answered_400(post_intake):
    response = post_intake(intake_payload(), HTTP_IDEMPOTENCY_KEY="k" * 256)

    assert response.status_code == 400
    assert Lead.objects.count() == 0


# --- Schema -----------------------------------------------------------------


def test_the_schema_documents_the_intake_request_and_answers(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/intake/"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/IntakeRequest"
    )
    assert {"200", "201", "400", "401", "413", "422"} <= set(operation["responses"])
    assert operation["security"] == [{"IntakeApiKey": []}]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert set(schema["components"]["schemas"]["IntakeRequest"]["required"]) == {
        "lead_type",
        "channel",
        "service_line",
    }
