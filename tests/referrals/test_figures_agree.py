"""The source profile and the managers' dashboards count referrals by one definition
(apps.referrals.outcomes): on the same leads they show the same figures.

One source's referrals, with journeys chosen for the cases where two definitions could
drift apart: a lead lost after its appointment (it reached Scheduled), a reopened one
(moved back before Scheduled), completed with and without the summary sent, lost for
each reason the panels name, and open ones.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from apps.dashboards.filters import DashboardFilters
from apps.dashboards.selectors import dashboard_referral_sources
from apps.dashboards.services import lead_facts_refresh
from apps.leads.models import Lead
from apps.referrals import figures
from apps.referrals.outcomes import REFERRAL_OUTCOMES
from tests.factories import ReferralSourceFactory, lead_with_journey

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 20, 12, 0, tzinfo=dt.UTC)
START, END = dt.date(2025, 5, 1), dt.date(2025, 6, 15)


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=dt.UTC)


def referral(source, created_at, journey=(), **fields) -> Lead:
    """A lead referred by `source` that went through `journey` [(stage slug, when)]."""
    return lead_with_journey(
        created_at=created_at, journey=journey, referral_source=source, **fields
    )


@pytest.fixture
def source(db):
    source = ReferralSourceFactory(name="Dr. Okafor")
    scheduled = ("scheduled", at(5, 4))
    referral(source, at(5, 2), [scheduled, ("completed", at(5, 12))], appointment_at=at(5, 12),
             referral_feedback_sent_at=at(5, 14))  # fmt: skip
    referral(source, at(5, 3), [scheduled, ("completed", at(5, 20))], appointment_at=at(5, 20))
    referral(source, at(5, 3), [scheduled, ("disqualified", at(5, 25))], appointment_at=at(5, 9),
             lost_reason="declined_by_patient")  # fmt: skip
    referral(source, at(5, 6), [("contacted", at(5, 7)), ("referred-elsewhere", at(5, 9))],
             lost_reason="out_of_network")  # fmt: skip
    referral(source, at(5, 8), [("disqualified", at(5, 9))], lost_reason="out_of_network")
    referral(source, at(5, 10), [scheduled, ("contacted", at(5, 11))])  # reopened, open
    referral(source, at(6, 1), [("scheduled", at(6, 2))], appointment_at=at(6, 9))
    referral(source, at(6, 3))
    referral(source, at(4, 20), [("completed", at(4, 29))])  # before the period
    referral(ReferralSourceFactory(), at(5, 5), [("disqualified", at(5, 6))])  # another source
    return source


@pytest.fixture
def refreshed(source):
    with time_machine.travel(NOW, tick=False):
        lead_facts_refresh()
    return source


def test_each_outcome_selects_the_same_leads_for_the_profile_and_the_dashboards(refreshed):
    for outcome in REFERRAL_OUTCOMES:
        profile = set(Lead.objects.filter(outcome.leads).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT f.lead_id FROM dashboards_leadfact f WHERE {outcome.facts}")  # noqa: S608
            dashboards = {row[0] for row in cursor.fetchall()}
        assert profile == dashboards, outcome.name
        assert profile or outcome.name == "feedback_sent", f"no lead is {outcome.name}"


def test_the_profile_and_the_referral_panel_show_the_same_figures(refreshed):
    source = refreshed
    leads = Lead.objects.filter(
        referral_source=source,
        created_at__gte=DashboardFilters(start=START, end=END).starts_at,
        created_at__lt=DashboardFilters(start=START, end=END).ends_before,
    )
    progress = figures.referral_progress_by_service_line(leads=leads)
    leakage = figures.referral_leakage_by_service_line(leads=leads, progress=progress)
    closed_loop = figures.referral_closed_loop(leads=leads)

    with time_machine.travel(NOW, tick=False):
        panel = dashboard_referral_sources(
            filters=DashboardFilters(start=START, end=END, referral_source_id=source.pk)
        )
    row = next(row for row in panel.top if row.source_id == source.pk)

    profile = {
        "referrals": sum(line.referrals for line in progress),
        "scheduled": sum(line.scheduled for line in progress),
        "completed": closed_loop.completed,
        "lost": sum(line.lost for line in leakage),
        "referred_elsewhere": sum(line.referred_elsewhere for line in leakage),
        "out_of_network": sum(line.out_of_network for line in leakage),
        "declined_by_patient": sum(line.declined_by_patient for line in leakage),
        "feedback_sent": closed_loop.feedback_sent,
        "median_days_to_appointment": figures.referral_median_days_to_appointment(leads=leads),
    }
    dashboards = {name: getattr(row, name) for name in profile}
    assert profile == dashboards
    # By hand: 8 referrals in the period; 5 reached Scheduled (the reopened one and the
    # one lost after its appointment included); appointments after 10, 17, 6 and 8 days.
    assert profile["referrals"] == 8 and profile["scheduled"] == 5
    assert str(profile["median_days_to_appointment"]) == "9.0"
