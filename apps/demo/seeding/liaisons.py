"""The liaisons' side of the demo: their territories and six months of visits to the
referral sources they own, with meals and items valued for Stark Law records.

Visits follow each source's referral pattern: steady referrers are seen every few
weeks, fading ones were seen less lately, so the liaison plan has a story to tell.
"""

import datetime as dt
import random
from decimal import Decimal

from apps.demo.seeding import catalog
from apps.demo.seeding.reference import Hospital
from apps.demo.seeding.sources import SourceInfo
from apps.referrals.models import LiaisonTerritory, LiaisonVisit, LiaisonVisitSource

_VISITED_KINDS = {"provider", "practice", "case_manager", "discharge_planner", "employer"}
# Days between visits by referral pattern: fading sources have been neglected lately.
_VISIT_GAP_DAYS = {
    "steady": (20, 45),
    "growing": (15, 35),
    "declining": (45, 90),
    "stopped": (60, 120),
    "new": (10, 25),
}
_VISIT_KINDS = (("in_person", 55), ("lunch_and_learn", 15), ("phone", 20), ("virtual", 10))
_PEOPLE_MET = ("physician", "office_manager", "scheduler", "nurse")
_MATERIALS = ("Service line brochures", "Referral pads", "Seminar flyers", "Direct-line cards", "")
_NOTES = (
    "Walked through the new same-week imaging slots.",
    "Office manager asked for faster consult notes back.",
    "Introduced the bariatric seminar schedule.",
    "Dr. asked about Spanish-speaking coordinators.",
    "Reviewed last quarter's referrals and turnaround.",
    "Scheduler prefers the e-referral inbox to fax.",
)
_FOLLOW_UPS = (
    "Send the updated referral form.",
    "Set up a lunch-and-learn with the cardiology team.",
    "Check why two referrals were not scheduled.",
)


def liaison_work_install(
    *, rng: random.Random, hospital: Hospital, sources: list[SourceInfo], today: dt.date
) -> int:
    """Territories for each liaison and, if none exist yet, their visits. Returns the
    number of visits made."""
    for territory, username in catalog.TERRITORY_LIAISONS.items():
        LiaisonTerritory.objects.get_or_create(
            liaison_id=hospital.user_ids[username], territory=territory
        )
    if LiaisonVisit.objects.exists():
        return 0  # seeding again keeps the visit history it has

    kinds, kind_weights = zip(*_VISIT_KINDS, strict=True)
    visits: list[LiaisonVisit] = []
    visited: list[SourceInfo] = []
    for source in sources:
        if source.kind not in _VISITED_KINDS:
            continue
        low, high = _VISIT_GAP_DAYS[source.pattern]
        day = today - dt.timedelta(days=rng.randint(1, high))
        while day > today - dt.timedelta(days=180):
            kind = rng.choices(kinds, kind_weights)[0]
            gift = Decimal("0.00")
            if kind == "lunch_and_learn":
                gift = Decimal(rng.randrange(12000, 38000)) / 100
            elif kind == "in_person" and rng.random() < 0.4:
                gift = Decimal(rng.randrange(800, 3500)) / 100
            follow_up = rng.choice(_FOLLOW_UPS) if rng.random() < 0.3 else ""
            due = day + dt.timedelta(days=rng.randint(3, 14)) if follow_up else None
            done = None
            if due is not None and due < today and rng.random() < 0.8:
                done = dt.datetime.combine(due, dt.time(15), dt.UTC)
            visits.append(
                LiaisonVisit(
                    liaison_id=source.owner_id,
                    logged_by_id=source.owner_id,
                    visited_on=day,
                    kind=kind,
                    people_met=rng.sample(_PEOPLE_MET, rng.randint(1, 3)),
                    materials_left=rng.choice(_MATERIALS),
                    gift_value=gift,
                    gift_description="Lunch for the office"
                    if kind == "lunch_and_learn"
                    else ("Coffee and pastries" if gift else ""),
                    notes=rng.choice(_NOTES),
                    follow_up=follow_up,
                    follow_up_due_on=due,
                    follow_up_completed_at=done,
                )
            )
            visited.append(source)
            day -= dt.timedelta(days=rng.randint(low, high))
    LiaisonVisit.objects.bulk_create(visits)
    lines = list(hospital.service_line_ids.values())
    links, line_links = [], []
    through = LiaisonVisit.service_lines.through
    for visit, source in zip(visits, visited, strict=True):
        links.append(
            LiaisonVisitSource(
                visit=visit,
                source_id=source.id,
                visited_on=visit.visited_on,
                gift_value=visit.gift_value,  # one source per visit: all of it
            )
        )
        for line_id in rng.sample(lines, rng.randint(1, 2)):
            line_links.append(through(liaisonvisit_id=visit.pk, serviceline_id=line_id))
    LiaisonVisitSource.objects.bulk_create(links)
    through.objects.bulk_create(line_links)
    return len(visits)
