"""The demo hospital as the bulk generator sees it: weighted tables of lead types,
channels, service lines, locations and referral sources, the team each inquiry is
routed to, business clocks, and pre-rendered text. Built once per seed run."""

import datetime as dt
import json
import random
from dataclasses import dataclass

from apps.demo.seeding import catalog, vocab
from apps.demo.seeding.clock import BusinessClock
from apps.demo.seeding.pools import Weighted
from apps.demo.seeding.reference import Hospital
from apps.demo.seeding.service_lines import SERVICE_LINES, ServiceLineSpec
from apps.demo.seeding.sources import PATTERNS, SourceInfo

LEAD_TYPES = Weighted(
    (("patient", 55), ("caregiver", 10), ("physician_referral", 22), ("employer", 5), ("event", 8))
)
CHANNELS_BY_LEAD_TYPE = {
    "patient": Weighted(
        (
            ("web_form", 45),
            ("phone", 30),
            ("chat", 12),
            ("email", 6),
            ("walk_in", 5),
            ("referral", 2),
        )
    ),
    "caregiver": Weighted((("web_form", 45), ("phone", 40), ("chat", 10), ("email", 5))),
    "physician_referral": Weighted((("referral", 85), ("phone", 10), ("email", 5))),
    "employer": Weighted((("email", 40), ("phone", 30), ("web_form", 20), ("event", 10))),
    "event": Weighted((("event", 80), ("web_form", 20))),
}
# How fast each coordinator answers, against the team's usual pace (response dashboards).
RESPONSE_PACE = {
    "mgonzalez": 0.7,
    "jnguyen": 0.8,
    "dramirez": 0.85,
    "kpatel": 1.15,
    "rjohnson": 1.3,
    "bwalsh": 1.4,
    "tbrooks": 1.7,
}
_KIND_GROUPS = {
    "provider": ("clinical", 1.0),
    "practice": ("clinical", 0.5),
    "case_manager": ("clinical", 0.7),
    "discharge_planner": ("clinical", 0.7),
    "employer": ("employer", 1.0),
    "community_partner": ("community", 1.0),
    "past_patient": ("other", 1.0),
    "organization": ("other", 0.6),
}
_LINES_BY_KIND = {
    "case_manager": {"orthopedics": 3, "cardiology": 3, "oncology": 3, "behavioral-health": 3},
    "discharge_planner": {"orthopedics": 4, "cardiology": 3, "primary-care": 2, "imaging": 2},
    "employer": {
        "orthopedics": 3,
        "primary-care": 3,
        "behavioral-health": 2,
        "imaging": 1,
        "bariatrics": 1,
    },
    "community_partner": {
        "primary-care": 3,
        "womens-health": 2,
        "imaging": 2,
        "cardiology": 2,
        "bariatrics": 2,
    },
}


@dataclass
class Line:
    """A service line with everything a lead of that line draws from."""

    id: int
    slug: str
    spec: ServiceLineSpec
    urgency: Weighted
    targets: dict[str, int]
    inquiries: list[tuple[str, str, str]]  # (condition, payer, message)
    inquiries_es: list[tuple[str, str, str]]
    answers: list[str]  # qualification answers as JSON text


@dataclass
class Team:
    id: int
    members: list[tuple[int, str]]  # (user id, username) who can own new leads
    bodies: dict[int | None, str]  # routing note by chosen owner


class Setting:
    def __init__(
        self, *, hospital: Hospital, sources: list[SourceInfo], rng: random.Random, today: dt.date
    ) -> None:
        self.hospital = hospital
        self.location_specs = {spec.slug: spec for spec in catalog.LOCATIONS}
        self.lines = {spec.slug: self._line(spec, hospital, rng) for spec in SERVICE_LINES}
        self.line_weights = Weighted((spec.slug, spec.weight) for spec in SERVICE_LINES)
        self.location_weights = Weighted(
            [(spec.slug, spec.weight) for spec in catalog.LOCATIONS] + [(None, 3)]
        )
        self.clocks = {
            spec.slug: BusinessClock(
                time_zone=spec.time_zone,
                hours=spec.hours,
                holidays=hospital.holidays.get(spec.slug, set()),
                first_day=today - dt.timedelta(days=200),
                last_day=today + dt.timedelta(days=120),
            )
            for spec in catalog.LOCATIONS
        }
        self.teams, self.fallback = self._teams(hospital)
        self.team_for = self._routes()
        self.pace = {hospital.user_ids[name]: pace for name, pace in RESPONSE_PACE.items()}
        self._sources(sources)
        # Attribution depends only on channel and line: draw 64 variants of each once.
        self.attributions = {
            (channel, slug): [_attribution(rng, channel, line) for _ in range(64)]
            for channel in vocab.CAPTURED_VIA
            for slug, line in self.lines.items()
        }

    def _line(self, spec: ServiceLineSpec, hospital: Hospital, rng: random.Random) -> Line:
        payers = [payer for payer, weight in vocab.PAYERS for _ in range(weight)]

        def inquiries(templates) -> list[tuple[str, str, str]]:
            out = []
            for condition in spec.conditions:
                for template in templates:
                    for payer in rng.sample(payers, 4):
                        shown = payer or "my insurance"
                        out.append(
                            (condition, payer, template.format(c=condition.lower(), p=shown))
                        )
            return out

        answers = []
        for variant in range(4):
            answer = {}
            for position, (question_id, kind) in enumerate(hospital.questions[spec.slug]):
                if kind == "yes_no":
                    answer[str(question_id)] = "yes" if (variant + position) % 4 else "no"
                else:
                    answer[str(question_id)] = spec.conditions[
                        (variant + position) % len(spec.conditions)
                    ]
            answers.append(json.dumps(answer, ensure_ascii=False).replace("\\", "\\\\"))
        return Line(
            id=hospital.service_line_ids[spec.slug],
            slug=spec.slug,
            spec=spec,
            urgency=Weighted(zip(("routine", "soon", "urgent"), spec.urgency_weights, strict=True)),
            targets={
                "routine": spec.routine_minutes,
                "soon": spec.soon_minutes,
                "urgent": spec.urgent_minutes,
            },
            inquiries=inquiries(vocab.INQUIRY_MESSAGES),
            inquiries_es=inquiries(vocab.INQUIRY_MESSAGES_ES),
            answers=answers,
        )

    def _teams(self, hospital: Hospital) -> tuple[dict[str, Team], Team]:
        staff = {spec.username: spec for spec in catalog.STAFF}
        teams, fallback = {}, None
        for spec in catalog.TEAMS:
            members = [
                (hospital.user_ids[name], name) for name in spec.members if not staff[name].on_leave
            ]
            rule = "the fallback rule" if spec.is_fallback else f"the {spec.name} rule"
            bodies = {
                None: f"Routed to {spec.name} by {rule}; waiting for the next free coordinator."
            }
            for user_id, name in members:
                person = staff[name]
                bodies[user_id] = (
                    f"Routed to {spec.name} by {rule}; round robin chose "
                    f"{person.first_name} {person.last_name}."
                )
            team = Team(id=hospital.team_ids[spec.slug], members=members, bodies=bodies)
            teams[spec.slug] = team
            if spec.is_fallback:
                fallback = team
        return teams, fallback

    def _routes(self) -> dict[tuple[str, str | None], Team]:
        routes = {}
        for line in self.lines:
            for location in [*self.location_specs, None]:
                routes[(line, location)] = next(
                    (
                        self.teams[spec.slug]
                        for spec in catalog.TEAMS
                        if not spec.is_fallback
                        and line in spec.service_lines
                        and (location in spec.locations or location is None)
                    ),
                    self.fallback,
                )
        return routes

    def _sources(self, sources: list[SourceInfo]) -> None:
        """Weighted tables of sources per group and 30-day bucket, and per source the
        service lines it sends and the campus nearest to it."""
        territory_location = {spec.territory: spec.slug for spec in catalog.LOCATIONS}
        self.sources_by_bucket: dict[str, list[Weighted]] = {}
        for group in ("clinical", "employer", "community", "other"):
            self.sources_by_bucket[group] = [
                Weighted(
                    (
                        source.id,
                        source.volume
                        * _KIND_GROUPS[source.kind][1]
                        * PATTERNS[source.pattern][bucket],
                    )
                    for source in sources
                    if _KIND_GROUPS[source.kind][0] == group
                )
                for bucket in range(6)
            ]
        self.source_names = {source.id: source.name for source in sources}
        self.source_lines: dict[int, Weighted] = {}
        self.source_location: dict[int, str] = {}
        for source in sources:
            self.source_location[source.id] = territory_location[source.territory]
            if source.kind in _LINES_BY_KIND:
                pairs = _LINES_BY_KIND[source.kind].items()
            else:
                pairs = [
                    (spec.slug, spec.weight)
                    for spec in SERVICE_LINES
                    if source.specialty in spec.specialties
                ] or [(spec.slug, spec.weight) for spec in SERVICE_LINES]
            self.source_lines[source.id] = Weighted(pairs)


_UTM = Weighted(((source, medium), weight) for source, medium, weight in vocab.UTM_SOURCES)


def _attribution(rng: random.Random, channel: str, line: Line) -> tuple[str, str]:
    """UTM and landing page as six COPY columns, and the inquiry's details JSON."""
    rnd = rng.random
    utm = dict.fromkeys(
        ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "landing_page"),
        "",
    )
    campaigns = line.spec.campaigns
    if channel in ("web_form", "chat", "email"):
        source, medium = _UTM.draw(rnd)
        utm["utm_source"], utm["utm_medium"] = source, medium
        if medium in ("cpc", "paid-social", "email"):
            utm["utm_campaign"] = campaigns[int(rnd() * len(campaigns))]
        if medium == "cpc":
            utm["utm_term"] = vocab.UTM_TERMS[int(rnd() * len(vocab.UTM_TERMS))]
        if medium in ("cpc", "paid-social"):
            utm["utm_content"] = vocab.UTM_CONTENTS[int(rnd() * len(vocab.UTM_CONTENTS))]
        if channel != "email":
            page = vocab.LANDING_PAGES[int(rnd() * len(vocab.LANDING_PAGES))]
            utm["landing_page"] = f"{catalog.WEBSITE}/{line.slug}/{page}"
    elif channel == "event":
        utm["utm_source"], utm["utm_medium"] = "community-event", "offline"
        utm["utm_campaign"] = campaigns[0]
    elif channel == "phone" and rnd() < 0.25:
        utm["utm_source"], utm["utm_medium"] = "google", "call-extension"
        utm["utm_campaign"] = campaigns[int(rnd() * len(campaigns))]
    captured_via = vocab.CAPTURED_VIA[channel]
    details = ", ".join(f'"{k}": "{v}"' for k, v in utm.items() if v)
    details = f"{{{details}, " if details else "{"
    return "\t".join(utm.values()), f'{details}"captured_via": "{captured_via}"}}'
