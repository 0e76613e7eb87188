"""Referral sources: practices with their providers (valid NPIs), case managers,
discharge planners, employers, community partners, organizations and past patients.

Each source gets a referral pattern over the demo's six months (steady, growing,
declining, stopped, new), so referrer-health classification and liaison plans have
something real to find.
"""

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker

from apps.demo.seeding import catalog, vocab
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.validators import npi_check_digit

# Referral weight per 30-day bucket, newest bucket first.
PATTERNS = {
    "steady": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "growing": (1.6, 1.4, 1.2, 1.0, 0.8, 0.6),
    "declining": (0.35, 0.5, 0.9, 1.3, 1.5, 1.6),
    "stopped": (0.0, 0.0, 0.0, 0.0, 1.0, 1.2),  # nothing in the last 120 days
    "new": (1.6, 1.0, 0.0, 0.0, 0.0, 0.0),
}
PATTERN_WEIGHTS = (("steady", 55), ("growing", 10), ("declining", 20), ("stopped", 8), ("new", 7))


@dataclass(frozen=True)
class SourceInfo:
    """What the lead generator needs to know about one referral source."""

    id: int
    name: str
    kind: str
    territory: str
    specialty: str
    pattern: str
    volume: float  # relative referral volume
    owner_id: int  # the owning liaison


def sources_install(
    *, rng: random.Random, fake: Faker, liaison_ids: dict[str, int], now: dt.datetime
) -> list[SourceInfo]:
    """Create or update the referral sources; providers are keyed by NPI, others by name.

    Each is dated as listed years ago, or weeks ago for the new ones, because referrer
    health tells a new source from a silent one by when it was listed."""
    territories = {spec.territory: spec for spec in catalog.LOCATIONS}
    infos: list[SourceInfo] = []

    def save(*, kind: str, name: str, territory: str, specialty: str = "", **extra) -> int:
        spec = territories[territory]
        defaults = {
            "name": name,
            "specialty": specialty,
            "territory": territory,
            "owning_liaison_id": liaison_ids[catalog.TERRITORY_LIAISONS[territory]],
            "address_line1": fake.street_address(),
            "city": spec.city,
            "state": spec.state,
            "postal_code": f"{rng.choice(spec.postal_prefixes)}{rng.randint(0, 99):02d}",
            "phone": f"+1{rng.choice(spec.area_codes)}555{rng.randint(200, 999):04d}",
            "is_active": True,
            **extra,
        }
        if kind == ReferralSourceKind.PROVIDER:
            source, _ = ReferralSource.objects.update_or_create(
                npi=extra["npi"], defaults={"kind": kind, **defaults}
            )
        else:
            source, _ = ReferralSource.objects.update_or_create(
                kind=kind, name=name, defaults=defaults
            )
        pattern = rng.choices(*zip(*PATTERN_WEIGHTS, strict=True))[0]
        volume = rng.lognormvariate(0, 0.8)
        listed_days_ago = rng.uniform(50, 75) if pattern == "new" else rng.uniform(400, 1500)
        # created_at is auto_now_add: only an UPDATE can backdate it.
        ReferralSource.objects.filter(pk=source.pk).update(
            created_at=now - dt.timedelta(days=listed_days_ago)
        )
        owner_id = defaults["owning_liaison_id"]
        infos.append(
            SourceInfo(source.pk, name, kind, territory, specialty, pattern, volume, owner_id)
        )
        return source.pk

    used_npis: set[str] = set()
    for practice_name, specialty, territory in vocab.PRACTICES:
        practice_id = save(
            kind=ReferralSourceKind.PRACTICE,
            name=practice_name,
            territory=territory,
            specialty=specialty,
            email=f"referrals@{_domain(practice_name)}",
        )
        for _ in range(rng.randint(3, 5)):
            save(
                kind=ReferralSourceKind.PROVIDER,
                name=_provider_name(rng, fake),
                territory=territory,
                specialty=specialty,
                npi=_npi(rng, used_npis),
                parent_id=practice_id,
                organization_name=practice_name,
            )
    for specialty in vocab.INDEPENDENT_SPECIALTIES:
        save(
            kind=ReferralSourceKind.PROVIDER,
            name=_provider_name(rng, fake),
            territory=rng.choice(list(territories)),
            specialty=specialty,
            npi=_npi(rng, used_npis),
        )
    for kind, organizations in (
        (ReferralSourceKind.CASE_MANAGER, vocab.CASE_MANAGER_ORGS),
        (ReferralSourceKind.DISCHARGE_PLANNER, vocab.DISCHARGE_PLANNER_ORGS),
    ):
        for organization in organizations:
            territory = rng.choice(list(territories))
            save(
                kind=kind,
                name=f"{fake.first_name()} {fake.last_name()}",
                territory=territory,
                organization_name=organization,
                email=f"{fake.user_name()}@{_domain(organization)}",
            )
    for kind, named in (
        (ReferralSourceKind.EMPLOYER, vocab.EMPLOYERS),
        (ReferralSourceKind.COMMUNITY_PARTNER, vocab.COMMUNITY_PARTNERS),
        (ReferralSourceKind.ORGANIZATION, vocab.ORGANIZATIONS),
    ):
        for name, territory in named:
            save(kind=kind, name=name, territory=territory, organization_name=name)
    for territory in territories:
        save(
            kind=ReferralSourceKind.PAST_PATIENT,
            name=f"{fake.first_name()} {fake.last_name()} (past patient)",
            territory=territory,
        )
    return infos


def _provider_name(rng: random.Random, fake: Faker) -> str:
    return f"{fake.first_name()} {fake.last_name()}, {rng.choice(vocab.CREDENTIALS)}"


def _npi(rng: random.Random, used: set[str]) -> str:
    """A valid NPI: 1 (individual provider) + 8 random digits + the Luhn check digit."""
    while True:
        first_nine = f"1{rng.randrange(10**8):08d}"
        npi = first_nine + npi_check_digit(first_nine)
        if npi not in used:
            used.add(npi)
            return npi


def _domain(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:24] + ".example"
