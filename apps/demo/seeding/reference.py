"""The hospital's reference data, written through the ORM: locations with hours and
holidays, service lines with their questions, staff, and teams.

Every write is an upsert on a natural key (slug, username), so seeding again keeps the
same rows and ids, and the demo logins keep working.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.demo.seeding import catalog
from apps.demo.seeding.service_lines import SERVICE_LINES
from apps.facilities.models import BusinessHours, Holiday, Location
from apps.pipeline.models import PipelineStage
from apps.pipeline.services import stage_install_defaults
from apps.servicelines.models import QualificationQuestion, ServiceLine
from apps.teams.models import Team, TeamMembership


@dataclass
class Hospital:
    """Ids and settings of the reference rows the lead generator draws from."""

    location_ids: dict[str, int]
    service_line_ids: dict[str, int]
    # service line slug -> [(question id, answer kind)]
    questions: dict[str, list[tuple[int, str]]]
    stage_ids: dict[str, int]
    user_ids: dict[str, int]
    team_ids: dict[str, int]
    holidays: dict[str, set[dt.date]] = field(default_factory=dict)


def hospital_install(*, today: dt.date) -> Hospital:
    """Create or update locations, service lines, stages, staff and teams."""
    stage_install_defaults()
    location_ids, holidays = _locations_install(today=today)
    service_line_ids, questions = _service_lines_install()
    user_ids = _staff_install()
    team_ids = _teams_install(
        user_ids=user_ids, location_ids=location_ids, service_line_ids=service_line_ids
    )
    return Hospital(
        location_ids=location_ids,
        service_line_ids=service_line_ids,
        questions=questions,
        stage_ids=dict(PipelineStage.objects.values_list("slug", "id")),
        user_ids=user_ids,
        team_ids=team_ids,
        holidays=holidays,
    )


def us_holidays(year: int) -> list[tuple[dt.date, str]]:
    """The federal holidays an American hospital's intake line closes for."""

    def nth_weekday(month: int, weekday: int, n: int) -> dt.date:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (n - 1))

    def last_weekday(month: int, weekday: int) -> dt.date:
        last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)

    return [
        (dt.date(year, 1, 1), "New Year's Day"),
        (nth_weekday(1, 0, 3), "Martin Luther King Jr. Day"),
        (last_weekday(5, 0), "Memorial Day"),
        (dt.date(year, 7, 4), "Independence Day"),
        (nth_weekday(9, 0, 1), "Labor Day"),
        (nth_weekday(11, 3, 4), "Thanksgiving Day"),
        (dt.date(year, 12, 25), "Christmas Day"),
    ]


def _locations_install(*, today: dt.date) -> tuple[dict[str, int], dict[str, set[dt.date]]]:
    ids: dict[str, int] = {}
    holidays: dict[str, set[dt.date]] = {}
    window = (today - dt.timedelta(days=200), today + dt.timedelta(days=200))
    days_off = [
        (day, name)
        for year in range(window[0].year, window[1].year + 1)
        for day, name in us_holidays(year)
        if window[0] <= day <= window[1]
    ]
    for spec in catalog.LOCATIONS:
        location, _ = Location.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "address_line1": spec.address_line1,
                "city": spec.city,
                "state": spec.state,
                "postal_code": spec.postal_code,
                "phone": spec.phone,
                "time_zone": spec.time_zone,
                "is_active": True,
            },
        )
        ids[spec.slug] = location.pk
        BusinessHours.objects.filter(location=location).exclude(weekday__in=spec.hours).delete()
        for weekday, (opens_at, closes_at) in spec.hours.items():
            BusinessHours.objects.update_or_create(
                location=location,
                weekday=weekday,
                defaults={"opens_at": opens_at, "closes_at": closes_at},
            )
        # The outpatient pavilion also closes the day after Thanksgiving.
        extra = [
            (day + dt.timedelta(days=1), "Day after Thanksgiving")
            for day, name in days_off
            if name == "Thanksgiving Day" and spec.slug == "northshore-outpatient"
        ]
        for day, name in days_off + extra:
            Holiday.objects.update_or_create(location=location, date=day, defaults={"name": name})
        holidays[spec.slug] = set(
            Holiday.objects.filter(location=location).values_list("date", flat=True)
        )
    return ids, holidays


def _service_lines_install() -> tuple[dict[str, int], dict[str, list[tuple[int, str]]]]:
    ids: dict[str, int] = {}
    questions: dict[str, list[tuple[int, str]]] = {}
    for spec in SERVICE_LINES:
        line, _ = ServiceLine.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "is_active": True,
                "urgent_response_minutes": spec.urgent_minutes,
                "soon_response_minutes": spec.soon_minutes,
                "routine_response_minutes": spec.routine_minutes,
            },
        )
        ids[spec.slug] = line.pk
        questions[spec.slug] = []
        for position, (text, kind) in enumerate(spec.questions, start=1):
            question, _ = QualificationQuestion.objects.update_or_create(
                service_line=line,
                position=position,
                defaults={"text": text, "answer_kind": kind, "is_required": True},
            )
            questions[spec.slug].append((question.pk, kind))
    return ids, questions


def _staff_install() -> dict[str, int]:
    # One PBKDF2 hash for everyone: hashing per user costs ~0.4 s each.
    password_hash = make_password(catalog.DEMO_PASSWORD)
    groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    ids: dict[str, int] = {}
    for spec in catalog.STAFF:
        is_admin = spec.role == Role.ADMIN
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@riversidehealth.example",
                "title": spec.title,
                "languages": list(spec.languages),
                "is_on_shift": spec.is_on_shift,
                "on_leave": spec.on_leave,
                "max_open_leads": spec.max_open_leads,
                "is_active": True,
                "is_staff": is_admin or spec.role == Role.MANAGER,
                "is_superuser": is_admin,
                "password": password_hash,
            },
        )
        user.groups.set([groups[spec.role]])
        ids[spec.username] = user.pk
    return ids


def _teams_install(
    *, user_ids: dict[str, int], location_ids: dict[str, int], service_line_ids: dict[str, int]
) -> dict[str, int]:
    ids: dict[str, int] = {}
    fallback_slug = next(spec.slug for spec in catalog.TEAMS if spec.is_fallback)
    # Only one fallback team may exist: demote any other before promoting ours.
    Team.objects.filter(is_fallback=True).exclude(slug=fallback_slug).update(is_fallback=False)
    for spec in catalog.TEAMS:
        team, _ = Team.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "team_lead_id": user_ids[spec.team_lead],
                "is_fallback": spec.is_fallback,
                "is_active": True,
            },
        )
        team.service_lines.set([service_line_ids[slug] for slug in spec.service_lines])
        team.locations.set([location_ids[slug] for slug in spec.locations])
        member_ids = [user_ids[username] for username in spec.members]
        TeamMembership.objects.filter(team=team).exclude(user_id__in=member_ids).delete()
        for user_id in member_ids:
            TeamMembership.objects.get_or_create(team=team, user_id=user_id)
        ids[spec.slug] = team.pk
    return ids
