"""A small hospital month with known answers for the dashboard tests.

Nine leads come in between Mon 3 and Sun 16 March 2025 (America/New_York, the reporting
zone); three more fall outside or are merged away. Every figure the tests expect is
worked out by hand in the test that checks it, from this table (times UTC, noon unless
said; T1 "Ortho intake", T2 "Cardio intake"; RS = referral source):

L1  03-03 ortho  web_form knee    T1 alice  ... Scheduled -> Completed      resp 10 min, due +60
L2  03-04 ortho  web_form knee    T1 alice  -> Scheduled -> Disqualified    resp 30 min, due +30
L3  03-05 ortho  phone            T2 bob    -> Attempting contact (open)    resp 90 min, due +60
L4  03-10 cardio phone            T2 bob    New (open), caregiver           none, due +60 (past)
L5  03-11 cardio referral RS1     T1 alice  ... Scheduled -> Completed      resp 5 min, due +15
L6  03-12 cardio referral RS1     T1 -      -> Contacted -> Referred else.  resp 240 min, due +30
L7  03-16 ortho  referral RS2     T2 bob    -> Qualified -> Scheduled       resp 20 min, due +60
L8  03-14 ortho  web_form spring  -  -      -> Not ready (open)             none, no SLA
L9  03-17 03:30 (Sun 16th 23:30 in New York) cardio web_form T2 bob, New    none, due 03-20 14:00
L10 03-02 (Sunday 2nd in New York) and L11 03-17 04:30 (Monday 17th): outside the period
L12 03-13 merged into L1: never counted

"Now" is Thu 2025-03-20 12:00 UTC.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from apps.dashboards.filters import DashboardFilters
from apps.dashboards.services import lead_facts_refresh
from apps.leads.models import Lead
from apps.referrals.models import ReferralSourceHealth
from tests.factories import (
    LocationFactory,
    ReferralSourceFactory,
    ServiceLineFactory,
    TeamFactory,
    UserFactory,
    lead_with_journey,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
PERIOD = (dt.date(2025, 3, 3), dt.date(2025, 3, 16))


def at(month_day: str, hhmm: str = "12:00") -> dt.datetime:
    month, day = (int(part) for part in month_day.split("-"))
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime(2025, month, day, hour, minute, tzinfo=UTC)


make_lead = lead_with_journey


@dataclass
class Month:
    leads: dict[str, Lead]
    ortho: object
    cardio: object
    loc_a: object
    loc_b: object
    t1: object
    t2: object
    alice: object
    bob: object
    rs1: object
    rs2: object
    rs3: object

    def ids(self, *names: str) -> set[int]:
        return {self.leads[name].pk for name in names}

    def filters(self, **narrow) -> DashboardFilters:
        return DashboardFilters(start=PERIOD[0], end=PERIOD[1], **narrow)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def month(db, frozen_now) -> Month:
    ortho = ServiceLineFactory(slug="orthopedics", name="Orthopedics")
    cardio = ServiceLineFactory(slug="cardiology", name="Cardiology")
    loc_a = LocationFactory(slug="north", name="North Campus")
    loc_b = LocationFactory(slug="south", name="South Campus")
    t1 = TeamFactory(slug="ortho-intake", name="Ortho intake")
    t2 = TeamFactory(slug="cardio-intake", name="Cardio intake")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Archer")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Baker")
    rs1 = ReferralSourceFactory(name="Lakeside Family Practice")
    rs2 = ReferralSourceFactory(name="Dr. Rivera")
    rs3 = ReferralSourceFactory(name="Quiet Clinic")
    minutes = dt.timedelta(minutes=1)

    def common(line, channel, location, team, owner, **extra):
        return {
            "service_line": line,
            "channel": channel,
            "location": location,
            "team": team,
            "owner": owner,
            **extra,
        }

    leads = {}
    c1 = at("03-03")
    leads["L1"] = make_lead(
        created_at=c1,
        journey=[
            ("attempting-contact", at("03-03", "13:00")),
            ("contacted", at("03-04")),
            ("qualified", at("03-05")),
            ("scheduled", at("03-06")),
            ("completed", at("03-10")),
        ],
        first_response_at=c1 + 10 * minutes,
        sla_due_at=c1 + 60 * minutes,
        appointment_at=at("03-10"),
        utm_campaign="knee",
        **common(ortho, "web_form", loc_a, t1, alice),
    )
    c2 = at("03-04")
    leads["L2"] = make_lead(
        created_at=c2,
        journey=[
            ("contacted", at("03-05")),
            ("qualified", at("03-06")),
            ("scheduled", at("03-07")),
            ("disqualified", at("03-08")),
        ],
        first_response_at=c2 + 30 * minutes,
        sla_due_at=c2 + 30 * minutes,  # answered exactly when due: within the SLA
        lost_reason="out_of_network",
        utm_campaign="knee",
        **common(ortho, "web_form", loc_a, t1, alice),
    )
    c3 = at("03-05")
    leads["L3"] = make_lead(
        created_at=c3,
        journey=[("attempting-contact", at("03-05", "14:00"))],
        first_response_at=c3 + 90 * minutes,
        sla_due_at=c3 + 60 * minutes,
        **common(ortho, "phone", loc_b, t2, bob),
    )
    c4 = at("03-10")
    leads["L4"] = make_lead(
        created_at=c4,
        sla_due_at=c4 + 60 * minutes,
        lead_type="caregiver",
        **common(cardio, "phone", loc_b, t2, bob),
    )
    c5 = at("03-11")
    leads["L5"] = make_lead(
        created_at=c5,
        journey=[
            ("contacted", at("03-11", "18:00")),
            ("qualified", at("03-12")),
            ("scheduled", at("03-13")),
            ("completed", at("03-18")),
        ],
        first_response_at=c5 + 5 * minutes,
        sla_due_at=c5 + 15 * minutes,
        appointment_at=at("03-18"),
        referral_source=rs1,
        referral_feedback_sent_at=at("03-19"),
        **common(cardio, "referral", loc_a, t1, alice),
    )
    c6 = at("03-12")
    leads["L6"] = make_lead(
        created_at=c6,
        journey=[("contacted", at("03-12", "15:00")), ("referred-elsewhere", at("03-13"))],
        first_response_at=c6 + 240 * minutes,
        sla_due_at=c6 + 30 * minutes,
        lost_reason="chose_another_provider",
        referral_source=rs1,
        **common(cardio, "referral", loc_a, t1, None),
    )
    c7 = at("03-16")
    leads["L7"] = make_lead(
        created_at=c7,
        journey=[("qualified", at("03-16", "15:00")), ("scheduled", at("03-17", "10:00"))],
        first_response_at=c7 + 20 * minutes,
        sla_due_at=c7 + 60 * minutes,
        appointment_at=at("03-26"),
        referral_source=rs2,
        **common(ortho, "referral", loc_b, t2, bob),
    )
    leads["L8"] = make_lead(
        created_at=at("03-14"),
        journey=[("not-ready", at("03-15"))],
        recontact_on=dt.date(2025, 4, 15),
        utm_campaign="spring",
        **common(ortho, "web_form", loc_a, None, None),
    )
    leads["L9"] = make_lead(
        created_at=at("03-17", "03:30"),
        sla_due_at=at("03-20", "14:00"),
        **common(cardio, "web_form", loc_b, t2, bob),
    )
    leads["L10"] = make_lead(created_at=at("03-02"), **common(ortho, "web_form", loc_a, t1, alice))
    leads["L11"] = make_lead(
        created_at=at("03-17", "04:30"), **common(ortho, "web_form", loc_a, t1, alice)
    )
    leads["L12"] = make_lead(
        created_at=at("03-13"),
        merged_into=leads["L1"],
        **common(ortho, "web_form", loc_a, t1, alice),
    )
    for source, status, expected in ((rs2, "declining", "6.00"), (rs3, "declining", "9.50")):
        ReferralSourceHealth.objects.create(
            source=source,
            status=status,
            recent_referrals=1,
            baseline_referrals=24,
            expected_recent_referrals=Decimal(expected),
            reason=f"1 referral in the last 90 days against {expected} expected.",
            classified_at=NOW,
        )
    ReferralSourceHealth.objects.create(
        source=rs1, status="active", reason="Steady.", classified_at=NOW
    )
    lead_facts_refresh()
    return Month(
        leads=leads,
        ortho=ortho,
        cardio=cardio,
        loc_a=loc_a,
        loc_b=loc_b,
        t1=t1,
        t2=t2,
        alice=alice,
        bob=bob,
        rs1=rs1,
        rs2=rs2,
        rs3=rs3,
    )


@pytest.fixture
def manager(db):
    return UserFactory(username="morgan", roles=["manager"])


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
