"""Nothing identifying a patient in the access log or Django's request log: a search's
query string (names, phones, emails) and the Referer repeating it are left out."""

import logging
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from apps.core.logging import QueryStringRemove
from tests.celery_processes import gunicorn_server
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the server sees committed data


def test_the_access_log_names_the_path_without_the_search(tmp_path):
    token = Token.objects.create(user=UserFactory())
    with gunicorn_server(tmp_path, args=("--access-logfile", "-")) as base_url:
        request = urllib.request.Request(  # noqa: S310 - a local test server
            f"{base_url}/api/v1/leads/?q=Quillfeather%20Zanzibar&ordering=created_at",
            headers={
                "Authorization": f"Token {token.key}",
                "Referer": f"{base_url}/queue/?q=quillfeather@example.com",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
    log = (tmp_path / "gunicorn.log").read_text()

    assert '"GET /api/v1/leads/ HTTP/1.1" 200' in log
    assert "quillfeather" not in log.lower()
    assert "ordering" not in log


def test_djangos_request_lines_are_logged_without_the_query_string():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /queue/?q=Quillfeather HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    assert QueryStringRemove().filter(record)
    assert record.getMessage() == '"GET /queue/ HTTP/1.1" 200 512'
