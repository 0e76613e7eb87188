"""Global search: median and p95 of the search a user runs from the top bar, by kind of
query, at the size of the bench database, with the SQL query count of each.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/leadcrm_bench_search \\
        .venv/bin/python bench/search.py --leads 200000 --runs 40

Times the selector (apps.search.selectors.global_search), both queries and building
the rows, as a manager (every lead) and as an intake coordinator (their teams), and
the results page the header box gets back (Django's full stack in-process). Target:
under 200 ms at 10M leads (issue 16).
"""

import argparse
import random
import time

from _setup import (
    bench_django_setup,
    bench_seed_if_needed,
    load_average,
    most_common_surname,
    percentile,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    env = bench_django_setup()
    bench_seed_if_needed(args.leads, env)

    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.accounts.models import User
    from apps.leads.models import Lead
    from apps.people.models import Person
    from apps.referral_sources.models import ReferralSource
    from apps.search.selectors import global_search

    # collectstatic has not run for a benchmark: serve {% static %} names as they are.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    rng = random.Random(7)
    common = most_common_surname()
    # Random people by id: ORDER BY random() sorts every person (minutes at 10M).
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    sample = rng.sample(range(1, last_person + 1), min(last_person, args.runs * 4))
    people = list(
        Person.objects.filter(pk__in=sample).exclude(phone=None).exclude(phone="").exclude(email="")
    )[: args.runs]
    last_lead = Lead.objects.order_by("-pk").values_list("pk", flat=True).first()
    npis = list(ReferralSource.objects.exclude(npi=None).values_list("npi", flat=True))
    queries = {
        "common surname, part": lambda: common[:4].lower(),
        "full name": lambda: (p := rng.choice(people)) and f"{p.first_name} {p.last_name}",
        "phone (312) 555-0142 style": lambda: _national(rng.choice(people).phone),
        "email": lambda: rng.choice(people).email.upper(),
        "lead number": lambda: f"#{rng.randint(1, last_lead)}",
        "NPI": lambda: rng.choice(npis),
    }
    users = {
        "manager": User.objects.get(username="manager"),
        "coordinator": User.objects.get(username="coordinator"),
    }
    print(f"{Lead.objects.count():,} leads, {Person.objects.count():,} people; "
          f"load {load_average()}")  # fmt: skip
    print(
        f"{'user':<12} {'query':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'found':>6}"
        f"  {'page median / p95 ms':>21}"
    )
    for user_name, user in users.items():
        global_search(user=user, query="warm up")
        # The whole answer too: the results page as the header box posts for it, through
        # Django's full stack in-process (session, middleware, access log, template).
        client = Client()
        client.force_login(user)
        for label, make in queries.items():
            times, counts, found, pages = [], [], 0, []
            for _ in range(args.runs):
                query = make()
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    results = global_search(user=user, query=query)
                    times.append((time.perf_counter() - started) * 1000)
                counts.append(len(captured))
                found += len(results.leads) + len(results.sources)
                started = time.perf_counter()
                response = client.post(reverse("search:index"), {"q": query})
                pages.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code}")
            print(
                f"{user_name:<12} {label:<28} {percentile(times, 0.5):>10.1f} "
                f"{percentile(times, 0.95):>8.1f} {max(counts):>8} {found / args.runs:>6.1f}"
                f"  {percentile(pages, 0.5):>10.1f} / {percentile(pages, 0.95):>7.1f}"
            )


def _national(e164) -> str:
    digits = str(e164)[-10:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


if __name__ == "__main__":
    main()
