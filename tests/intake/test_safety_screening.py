"""Safety screening through POST /api/v1/intake/: every category in both languages, the
answer the form must show, hard negatives left alone, repeat touches screened, and the
alert raised once (not again on a retry with the same Idempotency-Key)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from apps.alerts.models import Alert
from apps.leads.models import Activity, Lead
from apps.safety.models import LeadSafetyFlag
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.intake.payloads import intake_payload, minimal_payload

pytestmark = pytest.mark.django_db

EMERGENCIES = [
    ("self_harm", "en", "I want to kill myself"),
    ("self_harm", "es", "ya no quiero vivir, me quiero matar"),
    ("cardiac", "en", "crushing pressure in my chest since this morning"),
    ("cardiac", "es", "tengo un dolor muy fuerte en el pecho"),
    ("stroke", "en", "my husband's face is drooping and his speech is slurred"),
    ("stroke", "es", "mi esposo tiene la cara caída y habla arrastrada"),
    ("breathing", "en", "my son cant breathe and his lips are turning blue"),
    ("breathing", "es", "mi hijo no puede respirar y tiene los labios morados"),
    ("overdose", "en", "my daughter took a whole bottle of pills"),
    ("overdose", "es", "mi hija se tomó todas las pastillas"),
    ("pregnancy", "en", "I'm 30 weeks pregnant and bleeding a lot"),
    ("pregnancy", "es", "estoy embarazada y sangrando mucho"),
    ("bleeding", "en", "the cut won't stop bleeding"),
    ("bleeding", "es", "la herida no para de sangrar"),
    ("violence", "en", "my husband hits me and I am scared to go home"),
    ("violence", "es", "mi esposo me pega y tengo miedo de volver a casa"),
]


def _inquiry(message: str, *, language: str = "en", **fields) -> dict:
    body = intake_payload()
    body["person"]["preferred_language"] = language
    body["message"] = message
    body.update(fields)
    return body


@pytest.mark.parametrize(("category", "language", "message"), EMERGENCIES)
def test_each_emergency_is_answered_at_once_in_the_persons_language(
    post_intake, category, language, message
):
    response = post_intake(_inquiry(message, language=language))

    assert response.status_code == 201
    safety = response.json()["safety"]
    assert safety["category"] == category
    if category == "self_harm":
        assert "988" in safety["message"]
    else:
        assert "911" in safety["message"] and "988" not in safety["message"]
    expected_words = "Llame" if language == "es" else "call"
    assert expected_words.lower() in safety["message"].lower()
    lead = Lead.objects.get(pk=response.json()["id"])
    assert lead.urgency == "urgent"
    flag = LeadSafetyFlag.objects.get(lead=lead)
    assert flag.category == category and flag.matched_words


def test_a_spanish_message_from_an_english_speaker_is_caught_and_answered_in_english(
    post_intake,
):
    response = post_intake(_inquiry("no puedo respirar", language="en"))

    assert response.json()["safety"]["category"] == "breathing"
    assert response.json()["safety"]["message"].startswith("What you describe")


@pytest.mark.parametrize(
    "message",
    [
        "No chest pain, just knee pain when I walk",
        "I had a stroke two years ago and need physical therapy",
        "I'm dying to get my hip fixed",
        "killer knee pain for months",
        "my back is killing me, can I get an appointment this week",
        "What should I do if I get chest pain after my surgery?",
        "tuve un derrame cerebral hace dos años y necesito terapia",
        "me muero de ganas de operarme la rodilla",
    ],
)
def test_hard_negatives_are_left_alone(post_intake, message):
    response = post_intake(_inquiry(message))

    assert response.status_code == 201
    assert response.json()["safety"] is None
    lead = Lead.objects.get(pk=response.json()["id"])
    assert lead.urgency == "soon"
    assert not LeadSafetyFlag.objects.filter(lead=lead).exists()


@pytest.mark.parametrize(
    ("service_line", "channel", "lead_type", "field"),
    [
        ("cardiology", "chat", "patient", "message"),
        ("orthopedics", "phone", "caregiver", "condition_interest"),
        ("cardiology", "email", "event", "condition_interest"),
    ],
)
def test_every_service_line_channel_lead_type_and_field_is_screened(
    post_intake, cardiology, service_line, channel, lead_type, field
):
    body = _inquiry("Knee replacement consult", service_line=service_line, channel=channel)
    body["lead_type"] = lead_type
    body["message"] = ""
    body[field] = "I am suicidal"

    response = post_intake(body)

    assert response.status_code == 201
    assert response.json()["safety"]["category"] == "self_harm"


@pytest.fixture
def routed(post_intake):
    """A routine inquiry, routed the way routing leaves it: an owner in a team whose lead
    is on shift, the clock due in a few hours."""
    response = post_intake(minimal_payload(phone="(312) 555-0142"))
    team_lead = UserFactory(username="lead", roles=[Role.INTAKE_COORDINATOR], is_on_shift=True)
    owner = UserFactory(username="owner", roles=[Role.INTAKE_COORDINATOR], is_on_shift=True)
    team = TeamFactory(team_lead=team_lead)
    TeamMembershipFactory(team=team, user=owner)
    now = timezone.now()
    Lead.objects.filter(pk=response.json()["id"]).update(
        owner=owner, team=team, routed_at=now, sla_due_at=now + dt.timedelta(hours=4)
    )
    return {"lead_id": response.json()["id"], "owner": owner, "team_lead": team_lead}


def test_a_repeat_inquiry_is_screened_and_makes_the_lead_urgent_and_loud(post_intake, routed):
    repeat = minimal_payload(phone="312.555.0142")
    repeat["message"] = "it's gotten worse, I'd be better off dead"

    response = post_intake(repeat)

    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert response.json()["safety"]["category"] == "self_harm"
    lead = Lead.objects.get(pk=routed["lead_id"])
    assert lead.urgency == "urgent"
    # The clock restarts on the urgent target (the service line's, on the wall clock).
    assert lead.sla_due_at <= timezone.now() + dt.timedelta(
        minutes=lead.service_line.urgent_response_minutes
    )
    touch = Activity.objects.filter(lead=lead, kind="inquiry").latest("id")
    alerted = Alert.objects.filter(lead=lead, level="red_flag")
    assert sorted(a.recipient.username for a in alerted) == ["lead", "owner"]
    assert {a.activity_id for a in alerted} == {touch.pk}
    assert LeadSafetyFlag.objects.get(lead=lead).matched_words == ["better off dead"]


def test_a_retry_with_the_same_idempotency_key_raises_no_second_alert(post_intake, routed):
    repeat = minimal_payload(phone="312.555.0142")
    repeat["message"] = "chest pain right now"

    first = post_intake(repeat, HTTP_IDEMPOTENCY_KEY="retry-7")
    retry = post_intake(repeat, HTTP_IDEMPOTENCY_KEY="retry-7")

    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["safety"] == first.json()["safety"]
    assert first.json()["safety"]["category"] == "cardiac"
    assert Alert.objects.filter(lead_id=routed["lead_id"], level="red_flag").count() == 2
    assert LeadSafetyFlag.objects.filter(lead_id=routed["lead_id"]).count() == 1


def test_a_new_flagged_inquiry_retried_opens_one_lead_with_one_flag(post_intake):
    body = _inquiry("I took too many pills")
    post_intake(body, HTTP_IDEMPOTENCY_KEY="new-1")
    post_intake(body, HTTP_IDEMPOTENCY_KEY="new-1")

    assert Lead.objects.count() == 1
    assert LeadSafetyFlag.objects.count() == 1
