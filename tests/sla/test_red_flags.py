"""Red-flag phrases in an inquiry make the lead urgent and get its team lead calling."""

import datetime as dt

import pytest

from apps.alerts.models import Alert
from apps.leads.choices import Urgency
from apps.sla.models import LeadRedFlag
from apps.sla.services import lead_red_flags_apply, lead_sla_start
from tests.factories import LeadFactory, ServiceLineFactory
from tests.sla.factories import RedFlagPhraseFactory
from tests.sla.scenario import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def cardiology_flags(service_line):
    RedFlagPhraseFactory(service_line=service_line, phrase="chest pain now")
    RedFlagPhraseFactory(service_line=service_line, phrase="fainted", is_active=False)
    RedFlagPhraseFactory(service_line=ServiceLineFactory(slug="oncology"), phrase="bleeding")
    RedFlagPhraseFactory(service_line=None, phrase="suicidal")
    return service_line


@pytest.mark.parametrize(
    ("message", "condition_interest", "flagged"),
    [
        pytest.param("I have chest pain now, please call", "", True, id="exact"),
        pytest.param("CHEST PAIN NOW!!", "", True, id="any-case"),
        pytest.param("my chest  pain\nnow is bad", "", True, id="spaces-and-line-breaks"),
        pytest.param("", "Chest pain now", True, id="condition-of-interest"),
        pytest.param("feeling suicidal", "", True, id="phrase-for-every-line"),
        pytest.param("chest pain nowhere near as bad", "", False, id="part-of-a-word"),
        pytest.param("chest pain last week", "", False, id="no-phrase"),
        pytest.param("I fainted yesterday", "", False, id="inactive-phrase"),
        pytest.param("some bleeding", "", False, id="other-service-line-phrase"),
    ],
)
def test_red_flag_matching(cardiology_flags, message, condition_interest, flagged):
    lead = LeadFactory(
        service_line=cardiology_flags, message=message, condition_interest=condition_interest
    )

    assert lead_red_flags_apply(lead=lead) is flagged

    lead.refresh_from_db()
    assert (lead.urgency == Urgency.URGENT) is flagged
    assert LeadRedFlag.objects.filter(lead=lead).exists() is flagged


def test_red_flag_is_recorded_with_its_phrase_and_noted_on_the_timeline(cardiology_flags):
    lead = LeadFactory(service_line=cardiology_flags, message="Chest pain now")

    lead_red_flags_apply(lead=lead)

    assert LeadRedFlag.objects.get(lead=lead).phrases == ["chest pain now"]
    note = lead.activities.get(kind="note")
    assert note.details == {"red_flag": True}
    assert note.author is None


def test_red_flagged_lead_alerts_the_team_lead_once_when_routed(
    clock, cardiology_flags, make_lead, manager
):
    lead = make_lead(urgency=Urgency.ROUTINE, message="chest pain now")
    lead_red_flags_apply(lead=lead)

    lead_sla_start(lead=lead, started_at=T0)
    lead_sla_start(lead=lead, started_at=T0)  # re-routed: no second alert

    assert list(Alert.objects.filter(lead=lead).values_list("level", "recipient__username")) == [
        ("red_flag", "teamlead")
    ]
    lead.refresh_from_db()
    assert lead.sla_due_at == T0 + dt.timedelta(minutes=20)  # urgent target, wall clock


def test_red_flag_without_team_lead_alerts_the_managers(
    clock, cardiology_flags, make_lead, manager, team
):
    team.team_lead = None
    team.save()
    lead = make_lead(message="chest pain now")
    lead_red_flags_apply(lead=lead)

    lead_sla_start(lead=lead, started_at=T0)

    assert list(Alert.objects.filter(lead=lead).values_list("level", "recipient__username")) == [
        ("red_flag", "manager")
    ]


def test_lead_without_red_flag_alerts_nobody_when_routed(clock, cardiology_flags, make_lead):
    lead = make_lead(message="knee replacement questions")
    lead_red_flags_apply(lead=lead)

    lead_sla_start(lead=lead, started_at=T0)

    assert not Alert.objects.filter(lead=lead).exists()
