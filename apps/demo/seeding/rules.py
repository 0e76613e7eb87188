"""Routing rules, member skills and response policies for the demo,
so a lead posted to the demo's intake key is routed and timed the way the seeded
history was: to the team covering its line and campus, Spanish speakers first."""

from apps.demo.seeding import catalog
from apps.demo.seeding.reference import Hospital
from apps.routing.choices import Strategy
from apps.routing.models import MemberSkills, RoutingRule
from apps.sla.models import ResponsePolicy

# Referring physicians expect a faster call back than the line's default.
REFERRAL_TARGET_MINUTES = 60
# Coordinators who focus on some lines; everyone else is a generalist (no skills row).
SKILLS = {
    "nkim": ("behavioral-health",),
    "jnguyen": ("orthopedics", "bariatrics", "oncology"),
    "dramirez": (),  # every line, only the Front Range campus
    "swilliams": (),
}
SKILL_LOCATIONS = {"dramirez": ("front-range-medical",), "swilliams": ("front-range-medical",)}


def routing_and_response_install(*, hospital: Hospital) -> None:
    """Create or update the demo's rules and policies (keyed by name or natural key)."""
    position = 10
    urgent_behavioral, _ = RoutingRule.objects.update_or_create(
        name="Urgent behavioral health: least-loaded specialist",
        defaults={
            "position": position,
            "is_enabled": True,
            "target_team_id": hospital.team_ids["behavioral-health-access"],
            "strategy": Strategy.LEAST_LOAD,
            "urgencies": ["urgent"],
            "urgent_weight": 3,
            "match_language": True,
            "relax_after_minutes": 5,
        },
    )
    urgent_behavioral.service_lines.set([hospital.service_line_ids["behavioral-health"]])
    urgent_behavioral.locations.set([])
    for spec in catalog.TEAMS:
        if spec.is_fallback:
            continue
        position += 10
        rule, _ = RoutingRule.objects.update_or_create(
            name=f"{spec.name}: its service lines and campuses",
            defaults={
                "position": position,
                "is_enabled": True,
                "target_team_id": hospital.team_ids[spec.slug],
                "strategy": Strategy.ROUND_ROBIN,
                "urgent_weight": 2,
                # A Spanish-speaking person waits up to 10 minutes for a Spanish speaker.
                "match_language": True,
                "match_service_line": True,
                "relax_after_minutes": 10,
            },
        )
        rule.service_lines.set([hospital.service_line_ids[slug] for slug in spec.service_lines])
        rule.locations.set([hospital.location_ids[slug] for slug in spec.locations])

    for username in SKILLS.keys() | SKILL_LOCATIONS.keys():
        skills, _ = MemberSkills.objects.get_or_create(user_id=hospital.user_ids[username])
        skills.service_lines.set(
            [hospital.service_line_ids[slug] for slug in SKILLS.get(username, ())]
        )
        skills.locations.set(
            [hospital.location_ids[slug] for slug in SKILL_LOCATIONS.get(username, ())]
        )

    for line_id in hospital.service_line_ids.values():
        ResponsePolicy.objects.update_or_create(
            service_line_id=line_id,
            urgency="",
            lead_type="",
            defaults={"target_minutes": None, "is_active": True},
        )
        ResponsePolicy.objects.update_or_create(
            service_line_id=line_id,
            urgency="routine",
            lead_type="physician_referral",
            defaults={"target_minutes": REFERRAL_TARGET_MINUTES, "is_active": True},
        )
