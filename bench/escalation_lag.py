"""Escalation lag: from a lead's SLA breach to its breach alert created, through the
real pipeline (Celery beat runs the sweep, a worker fires the alerts and sends emails).

    .venv/bin/python bench/escalation_lag.py                 # 1,000 leads over a minute
    .venv/bin/python bench/escalation_lag.py --leads 200 --spread 30

Builds its own database (leadcrm_bench_sla, dropped and migrated), seeds a small
intake department (a team with its lead, 10 coordinators, 2 managers), starts a Celery
worker (2 processes) and beat as subprocesses against it and a Redis database of its
own, then creates the leads through the services and starts their response clocks so
that their breaches fall at known instants spread over one minute, starting just after
the last clock is started. It waits until
every lead has its breach alerts, and prints lag = alert created_at - sla_due_at,
p50/p95/max. Target: p95 under 10 s. Bounded: every wait has a deadline.

Each lead follows a 2-minute policy with the owner notice at 75%, so notices fire in
the same window as breaches (a realistic mix of work for the worker); every breach
alerts the team lead and both managers and queues their three emails.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (
    CELERY_WORKER_ARGS,
    celery_start,
    log_wait,
    percentile,
    processes_stop,
    scratch_database_rebuild,
    scratch_django_setup,
    scratch_environment,
)

DATABASE_NAME = os.environ.get("BENCH_DATABASE_NAME", "leadcrm_bench_sla")
# A Redis database of the benchmark's own: it is flushed at the start.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
TARGET_MINUTES = 2
# The first breach falls this long after the last clock has started, at the earliest.
FIRST_BREACH_MARGIN = dt.timedelta(seconds=10)
# Emails are built and "sent", but go nowhere.
ENV = scratch_environment(database=DATABASE_NAME, redis_url=REDIS_URL, EMAIL_URL="dummymail://")


def department_seed():
    """A team with its lead and coordinators, two managers, a 2-minute policy."""
    from django.contrib.auth.models import Group

    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.facilities.models import Location
    from apps.servicelines.models import ServiceLine
    from apps.sla.models import ResponsePolicy
    from apps.teams.models import Team, TeamMembership

    managers = Group.objects.get(name=Role.MANAGER)
    for n in range(2):
        user = User.objects.create_user(
            username=f"manager{n}", email=f"manager{n}@hospital.test", password=None
        )
        user.groups.add(managers)
    team_lead = User.objects.create_user(
        username="teamlead", email="teamlead@hospital.test", password=None
    )
    team = Team.objects.create(name="Cardiology intake", slug="cardiology", team_lead=team_lead)
    coordinators = []
    for n in range(10):
        user = User.objects.create_user(
            username=f"coordinator{n}", email=f"coordinator{n}@hospital.test", password=None
        )
        TeamMembership.objects.create(team=team, user=user)
        coordinators.append(user)
    service_line = ServiceLine.objects.create(name="Cardiology", slug="cardiology")
    ResponsePolicy.objects.create(
        service_line=service_line,
        target_minutes=TARGET_MINUTES,
        owner_notice_percent=75,
        fallback_after_breach_minutes=None,
    )
    # No business hours configured: open 24/7, so business minutes are wall minutes.
    location = Location.objects.create(
        name="Main campus", slug="main", time_zone="America/New_York"
    )
    return team, coordinators, service_line, location


def leads_create(count: int, team, coordinators, service_line, location) -> list:
    from faker import Faker

    from apps.leads.models import Lead
    from apps.leads.services import lead_assign, lead_create
    from apps.people.services import person_create

    fake = Faker()
    Faker.seed(7)
    leads = []
    for n in range(count):
        person = person_create(
            first_name=fake.first_name(),
            last_name=fake.last_name(),
            email=f"bench{n}@example.com",
        )
        lead = lead_create(
            person=person,
            lead_type="patient",
            channel="web_form",
            service_line=service_line,
            location=location,
            urgency="soon",
            message=fake.sentence(),
        )
        lead_assign(lead=lead, owner=coordinators[n % len(coordinators)], team=team, actor=None)
        leads.append(lead)
    # Marked routed so the routing sweep leaves these leads (and their clocks) alone.
    from django.utils import timezone

    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(routed_at=timezone.now())
    return leads


def clocks_start(leads: list, spread: float) -> tuple[dt.datetime, dt.datetime]:
    """Start every clock so that the breaches fall evenly over `spread` seconds, the
    first one FIRST_BREACH_MARGIN after the last clock has started (the time starting
    them takes is measured on the first 20); returns the first and last breach."""
    from django.db import transaction
    from django.utils import timezone

    from apps.sla.services import lead_sla_start

    target = dt.timedelta(minutes=TARGET_MINUTES)
    step = dt.timedelta(seconds=spread / max(len(leads) - 1, 1))
    probe = time.perf_counter()
    with transaction.atomic():  # a dry run, rolled back, to time the starts
        for lead in leads[:20]:
            lead_sla_start(lead=lead, started_at=timezone.now())
        transaction.set_rollback(True)
    per_lead = (time.perf_counter() - probe) / min(len(leads), 20)
    first_breach = (
        timezone.now() + dt.timedelta(seconds=per_lead * len(leads) * 3) + FIRST_BREACH_MARGIN
    )
    for n, lead in enumerate(leads):
        lead_sla_start(lead=lead, started_at=first_breach + n * step - target)
    if timezone.now() >= first_breach:
        print("warning: starting the clocks took longer than the first breach lead time")
    return first_breach, first_breach + (len(leads) - 1) * step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds of breaches")
    parser.add_argument("--concurrency", type=int, default=2)
    options = parser.parse_args()

    print(f"building {DATABASE_NAME} ...", flush=True)
    scratch_database_rebuild(ENV)
    scratch_django_setup(ENV)

    from django.conf import settings
    from django.db.models import Count, Max, Min
    from django.utils import timezone

    from apps.alerts.choices import EmailStatus
    from apps.alerts.models import Alert
    from apps.leads.models import Lead

    team, coordinators, service_line, location = department_seed()
    print(f"creating {options.leads} leads ...", flush=True)
    leads = leads_create(options.leads, team, coordinators, service_line, location)

    logs = Path(tempfile.mkdtemp(prefix="bench-sla-"))
    worker = celery_start(
        [*CELERY_WORKER_ARGS, f"--concurrency={options.concurrency}", "--hostname=bench-sla@%h"],
        env=ENV,
        log=logs / "worker.log",
    )
    beat = celery_start(
        ["beat", "--loglevel=INFO", f"--schedule={logs / 'beat-schedule'}"],
        env=ENV,
        log=logs / "beat.log",
    )
    try:
        log_wait(worker, logs / "worker.log", "ready", timeout=60)
        log_wait(beat, logs / "beat.log", "beat: Starting", timeout=60)
        first_breach, last_breach = clocks_start(leads, options.spread)
        print(
            f"{len(leads)} breaches from {first_breach:%H:%M:%S} to {last_breach:%H:%M:%S} "
            f"UTC; sweep every {settings.SLA_SWEEP_SECONDS:g} s",
            flush=True,
        )

        wait_until = time.monotonic() + (last_breach - timezone.now()).total_seconds() + 90
        lead_ids = [lead.pk for lead in leads]
        expected_alerts = len(leads) * 3  # team lead and two managers
        while time.monotonic() < wait_until:
            breach_alerts = Alert.objects.filter(lead_id__in=lead_ids, level="breach").count()
            if breach_alerts >= expected_alerts:
                break
            time.sleep(1)
        emails_deadline = time.monotonic() + 180
        while time.monotonic() < emails_deadline:
            unsent = Alert.objects.filter(
                lead_id__in=lead_ids, email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
            ).count()
            if not unsent:
                break
            time.sleep(1)
    finally:
        processes_stop([beat, worker])

    first_alert_by_lead = dict(
        Alert.objects.filter(lead_id__in=lead_ids, level="breach")
        .values("lead_id")
        .annotate(first=Min("created_at"))
        .values_list("lead_id", "first")
    )
    due_by_lead = dict(Lead.objects.filter(pk__in=lead_ids).values_list("id", "sla_due_at"))
    lags = [
        (first_alert_by_lead[lead_id] - due_by_lead[lead_id]).total_seconds()
        for lead_id in lead_ids
        if lead_id in first_alert_by_lead
    ]
    duplicates = (
        Alert.objects.filter(lead_id__in=lead_ids)
        .values("lead_id", "level", "recipient_id", "activity_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    by_level = dict(
        Alert.objects.filter(lead_id__in=lead_ids)
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    by_email = dict(
        Alert.objects.filter(lead_id__in=lead_ids)
        .values("email_status")
        .annotate(n=Count("id"))
        .values_list("email_status", "n")
    )

    print()
    print(f"leads breached:           {len(leads)}")
    print(f"leads with breach alert:  {len(lags)}  (missing {len(leads) - len(lags)})")
    print(f"alerts by level:          {by_level}")
    print(f"alert emails by status:   {by_email}")
    print(f"duplicate alerts:         {duplicates}")
    if lags:
        print(
            "breach -> alert lag (s):  "
            f"p50 {statistics.median(lags):.2f}  p95 {percentile(lags, 0.95):.2f}  "
            f"max {max(lags):.2f}  min {min(lags):.2f}"
        )
        early = sum(1 for lag in lags if lag < 0)
        print(f"alerts before the breach: {early}")
        print(f"target p95 < 10 s: {'met' if percentile(lags, 0.95) < 10 else 'NOT met'}")
    sent_at = Alert.objects.filter(lead_id__in=lead_ids, emailed_at__isnull=False).aggregate(
        first=Min("emailed_at"), last=Max("emailed_at")
    )
    sent = by_email.get(EmailStatus.SENT, 0)
    if sent > 1 and sent_at["last"] > sent_at["first"]:
        seconds = (sent_at["last"] - sent_at["first"]).total_seconds()
        print(f"alert emails sent per second (shared worker): {sent / seconds:.0f}")
    print(f"process logs: {logs}")


if __name__ == "__main__":
    main()
