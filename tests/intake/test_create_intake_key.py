"""manage.py create_intake_key <name>."""

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command

from apps.intake.models import IntakeKey
from apps.leads.models import Lead
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db


def _create(name: str) -> str:
    out = io.StringIO()
    call_command("create_intake_key", name, stdout=out)
    return out.getvalue()


def _printed_key(output: str) -> str:
    return re.search(r"export LEADCRM_INTAKE_KEY='([^']+)'", output).group(1)


def test_the_key_is_printed_once_and_only_its_hash_is_stored():
    output = _create("chat-vendor")

    raw_key = _printed_key(output)
    assert output.count(raw_key) == 1
    assert len(raw_key) >= 40
    intake_key = IntakeKey.objects.get(name="chat-vendor")
    assert intake_key.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert intake_key.prefix == raw_key[:8]
    stored = [str(value) for value in IntakeKey.objects.values().get().values()]
    assert not any(raw_key in value for value in stored)


def test_the_output_shows_how_to_post_a_first_lead():
    output = _create("chat-vendor")

    assert "curl -X POST http://127.0.0.1:8000/api/v1/intake/" in output
    assert "Authorization: Api-Key $LEADCRM_INTAKE_KEY" in output


def test_the_printed_key_opens_the_intake_api(api_client, intake_url, orthopedics, riverside):
    raw_key = _printed_key(_create("chat-vendor"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

    response = api_client.post(intake_url, data=intake_payload(), format="json")

    assert response.status_code == 201
    assert Lead.objects.get().captured_via == "chat-vendor"


def test_each_key_is_different():
    assert _printed_key(_create("one")) != _printed_key(_create("two"))


def test_a_taken_name_is_a_clear_error_and_the_old_key_stands():
    _create("chat-vendor")
    old_hash = IntakeKey.objects.get().key_hash

    with pytest.raises(CommandError, match='named "chat-vendor" already exists'):
        _create("chat-vendor")

    assert list(IntakeKey.objects.values_list("key_hash", flat=True)) == [old_hash]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_blank_or_overlong_name_is_refused(name):
    with pytest.raises(CommandError):
        _create(name)

    assert IntakeKey.objects.count() == 0


def test_the_printed_curl_uses_the_port_make_run_listens_on(monkeypatch):
    monkeypatch.setenv("LEADCRM_PORT", "8123")
    output = _create("chat-vendor")
    assert "curl -X POST http://127.0.0.1:8123/api/v1/intake/" in output
