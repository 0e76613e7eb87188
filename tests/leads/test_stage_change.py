"""lead_stage_change: which moves are allowed, what each one sets and clears, and the
record that lets a lead's journey be replayed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.leads.models import Activity
from apps.leads.services import lead_stage_change
from apps.pipeline.models import PipelineStage
from apps.pipeline.selectors import stage_get_by_slug
from apps.servicelines.models import QualificationQuestion
from tests.factories import LeadFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Dates in the tables are resolved when the test runs, so "today" is the test's today.
TODAY, TOMORROW, IN_TWO_DAYS = "<today>", "<tomorrow>", "<in two days>"
RELATIVE = {
    TODAY: lambda: timezone.localdate(),
    TOMORROW: lambda: timezone.localdate() + dt.timedelta(days=1),
    IN_TWO_DAYS: lambda: timezone.now() + dt.timedelta(days=2),
}


def _resolve(kwargs: dict) -> dict:
    return {
        name: RELATIVE[value]() if isinstance(value, str) and value in RELATIVE else value
        for name, value in kwargs.items()
    }


def _lead_at(slug: str, **fields):
    stage = stage_get_by_slug(slug)
    created_at = timezone.now() - dt.timedelta(days=5)
    closed = {"closed_at": created_at + dt.timedelta(days=1)} if stage.is_closed else {}
    return LeadFactory(stage=stage, created_at=created_at, **closed, **fields)


def _move(lead, to_slug: str, **kwargs):
    return lead_stage_change(
        lead=lead, to_stage=stage_get_by_slug(to_slug), actor=UserFactory(), **_resolve(kwargs)
    )


@pytest.fixture
def required_question(db):
    def make(lead):
        return QualificationQuestion.objects.create(
            service_line=lead.service_line, position=1, text="Has imaging been done?"
        )

    return make


# --- Rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_slug", "to_slug", "kwargs", "field"),
    [
        ("new", "new", {}, "stage"),
        ("contacted", "contacted", {}, "stage"),
        ("contacted", "scheduled", {}, "appointment_at"),
        ("new", "completed", {}, "stage"),
        ("qualified", "completed", {}, "stage"),
        ("contacted", "disqualified", {}, "lost_reason"),
        ("contacted", "disqualified", {"lost_reason": "felt like it"}, "lost_reason"),
        (
            "contacted",
            "referred-elsewhere",
            {"lost_reason_note": "went to St. Mary"},
            "lost_reason",
        ),
        ("contacted", "not-ready", {}, "recontact_on"),
        ("contacted", "not-ready", {"recontact_on": TODAY}, "recontact_on"),
        ("disqualified", "contacted", {}, "reason"),
        ("completed", "scheduled", {"appointment_at": IN_TWO_DAYS}, "reason"),
        ("referred-elsewhere", "disqualified", {"lost_reason": "other"}, "reason"),
        ("disqualified", "contacted", {"reason": "   "}, "reason"),
    ],
)
def test_refused_moves_name_the_field_and_change_nothing(from_slug, to_slug, kwargs, field):
    lead = _lead_at(from_slug)
    before = (lead.stage_id, lead.closed_at, lead.stage_entered_at)

    with pytest.raises(ValidationError) as refused:
        _move(lead, to_slug, **kwargs)

    assert field in refused.value.message_dict
    lead.refresh_from_db()
    assert (lead.stage_id, lead.closed_at, lead.stage_entered_at) == before
    assert not Activity.objects.filter(lead=lead, kind="stage_change").exists()


@pytest.mark.parametrize(
    ("from_slug", "to_slug", "kwargs"),
    [
        ("new", "attempting-contact", {}),
        ("new", "contacted", {}),
        ("contacted", "new", {}),
        ("contacted", "scheduled", {"appointment_at": IN_TWO_DAYS}),
        ("scheduled", "completed", {}),
        ("contacted", "disqualified", {"lost_reason": "not_a_candidate"}),
        ("contacted", "referred-elsewhere", {"lost_reason": "service_not_offered"}),
        ("contacted", "not-ready", {"recontact_on": TOMORROW}),
        ("not-ready", "contacted", {}),
        ("disqualified", "contacted", {"reason": "Called back, wants a consult after all"}),
        ("completed", "contacted", {"reason": "Visit was a no-show"}),
    ],
)
def test_allowed_moves(from_slug, to_slug, kwargs):
    lead = _lead_at(from_slug)

    _move(lead, to_slug, **kwargs)

    lead.refresh_from_db()
    assert lead.stage.slug == to_slug


def test_qualified_needs_an_answer_to_each_required_question(required_question):
    lead = _lead_at("contacted")
    question = required_question(lead)
    QualificationQuestion.objects.create(
        service_line=lead.service_line, position=2, text="Preferred surgeon?", is_required=False
    )

    with pytest.raises(ValidationError) as refused:
        _move(lead, "qualified", qualification_answers={str(question.pk): "  "})
    _move(lead, "qualified", qualification_answers={str(question.pk): "yes"})

    assert "Has imaging been done?" in refused.value.message_dict["qualification_answers"][0]
    assert "Preferred surgeon?" not in refused.value.message_dict["qualification_answers"][0]
    lead.refresh_from_db()
    assert lead.qualification_answers == {str(question.pk): "yes"}


def test_a_null_answer_is_no_answer(required_question):
    lead = _lead_at("contacted")
    question = required_question(lead)

    with pytest.raises(ValidationError) as refused:
        _move(lead, "qualified", qualification_answers={str(question.pk): None})

    assert "qualification_answers" in refused.value.message_dict


def test_a_stage_no_longer_in_use_is_refused():
    lead = _lead_at("new")
    stage = PipelineStage.objects.get(slug="contacted")
    stage.is_active = False
    stage.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as refused:
        _move(lead, "contacted")

    assert "stage" in refused.value.message_dict


def test_every_problem_is_reported_at_once():
    lead = _lead_at("disqualified")

    with pytest.raises(ValidationError) as refused:
        _move(lead, "referred-elsewhere")

    assert set(refused.value.message_dict) == {"reason", "lost_reason"}


# --- Effects ------------------------------------------------------------------------


def test_a_lost_stage_closes_the_lead_with_its_reason():
    lead = _lead_at("contacted")

    _move(lead, "disqualified", lost_reason="out_of_network", lost_reason_note="HMO only")

    lead.refresh_from_db()
    assert lead.closed_at is not None
    assert (lead.lost_reason, lead.lost_reason_note) == ("out_of_network", "HMO only")
    assert lead.converted_at is None


def test_scheduling_records_the_appointment_at_the_leads_location_by_default():
    lead = _lead_at("qualified")
    appointment = timezone.now() + dt.timedelta(days=2)

    _move(lead, "scheduled", appointment_at=appointment)

    lead.refresh_from_db()
    assert lead.scheduled_at is not None
    assert lead.appointment_at == appointment
    assert lead.appointment_location == lead.location
    assert lead.closed_at is None


def test_scheduling_can_name_another_location():
    lead = _lead_at("qualified")
    clinic = LocationFactory(slug="west-clinic")

    _move(lead, "scheduled", appointment_at=IN_TWO_DAYS, appointment_location=clinic)

    lead.refresh_from_db()
    assert lead.appointment_location == clinic


def test_completion_closes_and_converts_the_lead():
    lead = _lead_at("scheduled")

    _move(lead, "completed")

    lead.refresh_from_db()
    assert lead.closed_at is not None
    assert lead.converted_at == lead.closed_at


def test_not_ready_keeps_the_lead_open_with_a_recontact_date():
    lead = _lead_at("contacted")

    _move(lead, "not-ready", recontact_on=TOMORROW)

    lead.refresh_from_db()
    assert lead.closed_at is None
    assert lead.recontact_on == timezone.localdate() + dt.timedelta(days=1)


def test_leaving_not_ready_clears_the_recontact_date():
    lead = _lead_at("contacted")
    _move(lead, "not-ready", recontact_on=TOMORROW)

    _move(lead, "contacted")

    lead.refresh_from_db()
    assert lead.recontact_on is None


def test_reopening_a_completed_lead_clears_its_outcome():
    lead = _lead_at("qualified")
    _move(lead, "scheduled", appointment_at=IN_TWO_DAYS)
    _move(lead, "completed")

    _move(lead, "contacted", reason="The visit was cancelled by the clinic")

    lead.refresh_from_db()
    assert (lead.closed_at, lead.converted_at, lead.scheduled_at, lead.appointment_at) == (
        None,
        None,
        None,
        None,
    )
    assert lead.appointment_location is None


def test_reopening_a_lost_lead_clears_the_lost_reason():
    lead = _lead_at("contacted")
    _move(lead, "disqualified", lost_reason="no_response", lost_reason_note="5 attempts")

    _move(lead, "contacted", reason="She called back")

    lead.refresh_from_db()
    assert (lead.closed_at, lead.lost_reason, lead.lost_reason_note) == (None, "", "")


def test_a_completed_lead_found_lost_is_no_longer_a_conversion():
    lead = _lead_at("scheduled")
    _move(lead, "completed")

    _move(lead, "disqualified", lost_reason="duplicate", reason="Same visit as lead 12")

    lead.refresh_from_db()
    assert lead.converted_at is None
    assert lead.closed_at is not None


def test_each_move_is_recorded_so_the_journey_can_be_replayed():
    lead = _lead_at("new")
    actor = UserFactory()
    path = ["attempting-contact", "contacted", "qualified", "scheduled", "completed"]
    extra = {"scheduled": {"appointment_at": timezone.now() + dt.timedelta(days=1)}}

    for slug in path:
        lead_stage_change(
            lead=lead, to_stage=stage_get_by_slug(slug), actor=actor, **extra.get(slug, {})
        )

    changes = Activity.objects.filter(lead=lead, kind="stage_change").order_by("occurred_at", "id")
    replayed = [(change.from_stage.slug, change.to_stage.slug) for change in changes]
    assert replayed == list(zip(["new", *path[:-1]], path, strict=True))
    assert {change.author for change in changes} == {actor}
    assert changes.last().details == {}
    assert "appointment_at" in changes.get(to_stage__slug="scheduled").details


def test_the_record_keeps_the_reason_and_the_lost_reason():
    lead = _lead_at("contacted")

    record = _move(lead, "disqualified", lost_reason="not_a_candidate", lost_reason_note="BMI")

    assert record.details == {"lost_reason": "not_a_candidate"}
    assert record.body == "BMI"


def test_moving_restarts_the_time_in_stage():
    lead = _lead_at("new")
    entered = lead.stage_entered_at

    _move(lead, "contacted")

    lead.refresh_from_db()
    assert lead.stage_entered_at > entered
