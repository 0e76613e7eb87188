"""Seed a demo hospital: reference data through the ORM, people and leads through COPY,
all in one transaction, so a failed seed leaves the database as it was."""

import datetime as dt
import random
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from faker import Faker
from tqdm import tqdm

from apps.dashboards.models import ROLLUP_MODELS
from apps.dashboards.services import lead_facts_rebuild
from apps.demo.seeding import catalog
from apps.demo.seeding.bulk import bulk_load
from apps.demo.seeding.liaisons import liaison_work_install
from apps.demo.seeding.nurture_tracks import nurture_tracks_install
from apps.demo.seeding.people_and_leads import (
    ACTIVITY_COLUMNS,
    CONSENT_COLUMNS,
    LEAD_COLUMNS,
    PERSON_COLUMNS,
    LeadGenerator,
)
from apps.demo.seeding.pools import NamePools
from apps.demo.seeding.reference import hospital_install
from apps.demo.seeding.rules import routing_and_response_install
from apps.demo.seeding.setting import Setting
from apps.demo.seeding.sources import sources_install
from apps.intake.models import IntakeKey
from apps.intake.services import intake_key_create
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.referral_sources.models import ReferralSource
from apps.referrals.models import LiaisonVisit
from apps.referrals.services import referrer_health_classify
from apps.routing.choices import WaitReason
from apps.routing.models import RoutingWait
from apps.routing.services import lead_waits_record

DAYS = 180
CHUNK_LEADS = 10_000
# From this size on, dropping and rebuilding indexes beats updating them row by row.
REBUILD_MIN_LEADS = 20_000
DEMO_KEY_NAME = "Demo website form"


@dataclass
class SeedResult:
    leads: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    intake_key_name: str = ""
    intake_key: str = ""
    seconds: float = 0.0


def demo_seed(
    *,
    seed: int,
    leads: int,
    reset: bool = False,
    now: dt.datetime | None = None,
    rebuild_indexes: bool | None = None,
    progress: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> SeedResult:
    """Build the demo hospital and `leads` leads over the `DAYS` days before `now`.

    Same seed and same `now` give the same data. `rebuild_indexes` None decides by size.
    """
    started = time.monotonic()
    say = on_step or (lambda message: None)
    now = now or dt.datetime.now(dt.UTC)
    now_epoch = int(now.timestamp())
    today = now.astimezone(zoneinfo.ZoneInfo(catalog.LOCATIONS[0].time_zone)).date()
    rng = random.Random(seed)
    fake_en, fake_es = Faker("en_US"), Faker("es_MX")
    fake_en.seed_instance(seed)
    fake_es.seed_instance(seed + 1)
    result = SeedResult(leads=leads)

    with transaction.atomic():
        if reset:
            say("Deleting earlier demo data")
            demo_data_delete()
        say("Installing locations, service lines, staff, teams and routing rules")
        hospital = hospital_install(today=today)
        routing_and_response_install(hospital=hospital)
        nurture_tracks_install(hospital=hospital)
        liaisons = {name: hospital.user_ids[name] for name in catalog.TERRITORY_LIAISONS.values()}
        sources = sources_install(rng=rng, fake=fake_en, liaison_ids=liaisons, now=now)
        # Its own generator: visits never shift the people and leads a seed makes.
        visits = liaison_work_install(
            rng=random.Random(seed + 2), hospital=hospital, sources=sources, today=today
        )
        say(f"{len(sources)} referral sources, {visits} liaison visits")
        setting = Setting(hospital=hospital, sources=sources, rng=rng, today=today)
        names = NamePools(fake_en=fake_en, fake_es=fake_es)
        if rebuild_indexes is None:
            existing = 0 if reset else _lead_estimate()
            rebuild_indexes = leads >= REBUILD_MIN_LEADS and leads >= existing
        tables = [Person, Lead, Activity, Consent]
        with bulk_load(tables=tables, rebuild=rebuild_indexes, freeze=reset) as loader:
            for model, columns in zip(
                tables,
                (PERSON_COLUMNS, LEAD_COLUMNS, ACTIVITY_COLUMNS, CONSENT_COLUMNS),
                strict=True,
            ):
                loader.declare(model, columns)
            generator = LeadGenerator(
                setting=setting,
                rng=rng,
                names=names,
                now=now_epoch,
                days=DAYS,
                next_ids={
                    "person": loader.next_id[Person],
                    "lead": loader.next_id[Lead],
                    "activity": loader.next_id[Activity],
                    "consent": loader.next_id[Consent],
                },
            )
            say(f"Generating {leads:,} leads and loading them with COPY")
            created = generator.created_times(leads)
            with tqdm(total=leads, unit="lead", desc="Leads", disable=not progress) as bar:
                for start in range(0, leads, CHUNK_LEADS):
                    part = created[start : start + CHUNK_LEADS]
                    rows = generator.chunk(part)
                    loader.put(Person, rows["person"])
                    loader.put(Lead, rows["lead"])
                    loader.put(Activity, rows["activity"])
                    loader.put(Consent, rows["consent"])
                    bar.update(len(part))
            loader.finish(on_step=say)
            result.rows = dict(loader.rows_loaded)
        _waits_record(generator.waiting)
        result.intake_key_name, result.intake_key = _demo_intake_key()
    # After the commit: the nightly job's first run, so the liaison plan has verdicts from
    # the start. It is the referrals app's own transaction; the seed stands either way.
    say("Classifying referrer health")
    referrer_health_classify(as_of=now)
    # The nightly rebuild's service, so a fresh demo's dashboards show figures at once
    # rather than "not computed yet" until beat's first refresh.
    say("Computing the dashboards' figures")
    lead_facts_rebuild()
    _vacuum_analyze([*tables, *ROLLUP_MODELS], say=say)
    result.seconds = time.monotonic() - started
    return result


def _vacuum_analyze(models: list, *, say: Callable[[str], None]) -> None:
    """What autovacuum would do soon after: statistics and the visibility map for the
    tables the seed wrote, so the pages' plans and index-only scans are what they will be.

    The rollups are written after the load by plain INSERTs and had no statistics. COPY
    FREEZE marks pages all-visible only when it writes in batches, which PostgreSQL does
    not do into a table with a BEFORE row trigger (the leads' search names), even one
    switched off. The figures are in bench/README.md ("Third 10M sitting"). PostgreSQL
    refuses VACUUM inside a transaction, so a caller's (a test's) skips it.
    """
    if not transaction.get_autocommit():
        return
    with connection.cursor() as cursor:
        for model in models:
            say(f"Vacuuming and analysing {model._meta.db_table}")
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def demo_data_delete() -> None:
    """Delete every lead, person, activity, consent, referral source and liaison visit,
    and whatever other apps keep about them (TRUNCATE ... CASCADE). Staff, teams,
    locations, service lines and rules stay: seeding updates them in place."""
    models = (Activity, Consent, Lead, Person, ReferralSource, LiaisonVisit)
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # TRUNCATE refuses while checks of rows written earlier in the transaction wait.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _waits_record(waiting: list[tuple[int, int, int]]) -> None:
    """Record the leads the demo leaves in a team's queue the way routing does, so the
    sweep offers them to the next coordinator with room (without it they waited until
    someone routed them again by hand: issue 16)."""
    lead_waits_record(
        waits=[
            RoutingWait(
                lead_id=lead_id,
                team_id=team_id,
                reason=WaitReason.NOBODY_AVAILABLE,
                waiting_since=dt.datetime.fromtimestamp(routed_at, dt.UTC),
                last_tried_at=dt.datetime.fromtimestamp(routed_at, dt.UTC),
            )
            for lead_id, team_id, routed_at in waiting
        ]
    )


def _lead_estimate() -> int:
    """The planner's row estimate: instant on a million rows, exact enough here."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [Lead._meta.db_table],
        )
        estimate = cursor.fetchone()[0]
    return estimate or Lead.objects.count()


def _demo_intake_key() -> tuple[str, str]:
    """A fresh key for the demo web form; the raw key exists only in this answer."""
    name, number = DEMO_KEY_NAME, 1
    while IntakeKey.objects.filter(name=name).exists():
        number += 1
        name = f"{DEMO_KEY_NAME} {number}"
    _, raw_key = intake_key_create(name=name)
    return name, raw_key
