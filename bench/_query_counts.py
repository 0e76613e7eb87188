"""SQL queries of one intake and one lead-list request, run in-process through Django's
test client, with an optional EXPLAIN ANALYZE of each. Used by intake_and_list.py."""

import json
import random
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

INTAKE_PAYLOAD = {
    "lead_type": "patient",
    "channel": "web_form",
    "service_line": "orthopedics",
    "location": "riverside-general",
    "urgency": "routine",
    "person": {
        "first_name": "Query",
        "last_name": "Count",
        "phone": "",
        "email": "",
        "date_of_birth": "1970-01-02",
        "preferred_language": "en",
        "postal_code": "60614",
    },
    "consent": {"email": True, "sms": False, "phone": True, "text": "You may contact me."},
    "utm": {"source": "google", "medium": "cpc", "campaign": "bench"},
    "landing_page": "https://www.riversidehealth.example/orthopedics/",
}


def query_counts_print(*, intake_key: str, token: str, explain: bool) -> None:
    client = Client()
    # The second request of each kind is the one counted: the first fills per-process
    # caches (stages, URL resolver) that a warm gunicorn worker already has.
    for attempt in range(2):
        payload = json.loads(json.dumps(INTAKE_PAYLOAD))
        # A number outside the demo's 555 exchange and an address never used before: a
        # new person, so this is the new-lead path, not the repeat-inquiry one.
        number = random.randrange(10**7)
        payload["person"]["phone"] = f"(312) {200 + number // 10**4 % 355:03d}-{number % 10**4:04d}"
        payload["person"]["email"] = f"query.count.{number}.{attempt}@example.net"
        with CaptureQueriesContext(connection) as intake_queries:
            answer = client.post(
                "/api/v1/intake/",
                data=json.dumps(payload),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Api-Key {intake_key}",
            )
    print(f"Intake request: HTTP {answer.status_code}, {len(intake_queries)} SQL queries")
    _print_queries(intake_queries, explain=False)

    for _ in range(2):
        with CaptureQueriesContext(connection) as list_queries:
            answer = client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {token}")
    rows = len(answer.json().get("results", [])) if answer.status_code == 200 else 0
    print(f"List request: HTTP {answer.status_code}, {rows} rows, {len(list_queries)} SQL queries")
    _print_queries(list_queries, explain=explain)


def _print_queries(captured: CaptureQueriesContext, *, explain: bool) -> None:
    for query in captured.captured_queries:
        sql = query["sql"]
        print(f"    {float(query['time']) * 1000:7.2f} ms  {_shorten(sql)}")
        if explain and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in cursor.fetchall():
                    print(f"        {line}")


def _shorten(sql: str, width: int = 150) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."
