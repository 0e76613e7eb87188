"""The intake end to end in the web process `make run` starts (gunicorn, its settings and
a kept connection): a new person's inquiry, then the same person again in another phone
format on the same connection."""

import json
import urllib.error
import urllib.request

import pytest

from apps.leads.models import Activity, Lead
from apps.people.models import Consent
from tests.celery_processes import broker_purge, gunicorn_server
from tests.intake.payloads import intake_payload, minimal_payload

pytestmark = pytest.mark.django_db(transaction=True)  # the server sees committed data


def _post(base_url: str, raw_key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{base_url}/api/v1/intake/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {raw_key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_web_process_takes_an_inquiry_and_then_a_repeat_of_it(
    tmp_path, raw_key, orthopedics, riverside
):
    broker_purge()
    body = intake_payload()
    body["person"]["phone"] = "(312) 555-0177"
    with gunicorn_server(tmp_path, workers=1) as base_url:
        first_status, first = _post(base_url, raw_key, body)
        repeat_status, repeat = _post(base_url, raw_key, minimal_payload(phone="312.555.0177"))

    assert first_status == 201, first
    lead = Lead.objects.select_related("person").get(pk=first["id"])
    assert lead.person.phone.as_e164 == "+13125550177"
    assert Consent.objects.filter(person=lead.person).count() == 2  # email and phone boxes
    assert (repeat_status, repeat["id"], repeat["duplicate"]) == (200, lead.pk, True)
    assert Activity.objects.filter(lead=lead, kind="inquiry").count() == 2
    broker_purge()
