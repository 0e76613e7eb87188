"""The intake API reads keys, service lines and locations from the reference cache
(apps.core.reference_cache): changes must still take effect, at once where they were
made and within REFERENCE_CACHE_SECONDS in other processes.

A change saved through the ORM (admin, services) fires the model's signals: that is the
process that made it. A bulk UPDATE fires none, which is how a change made in another
process looks from here: it shows once the copy expires.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.core.reference_cache import REFERENCE_CACHE_SECONDS
from apps.facilities.models import Location
from apps.intake.models import IntakeKey, intake_key_hash
from apps.intake.services import intake_key_create
from apps.leads.models import Lead
from apps.servicelines.models import ServiceLine
from tests.intake.payloads import intake_payload

pytestmark = pytest.mark.django_db

AFTER_EXPIRY = dt.timedelta(seconds=REFERENCE_CACHE_SECONDS + 1)


def _inquiry(n: int, **changes) -> dict:
    """A valid inquiry from a new person each time (no repeat-inquiry matching)."""
    body = intake_payload()
    body["person"].update(phone=f"(773) 555-{n:04d}", email=f"person.{n}@example.com")
    body.update(changes)
    return body


@pytest.fixture
def warm(post_intake):
    """One inquiry answered: every reference table is now cached in this process."""
    assert post_intake(_inquiry(1)).status_code == 201


# --- Service lines ------------------------------------------------------------


def test_a_service_line_switched_off_is_refused_at_once(post_intake, orthopedics, warm):
    orthopedics.is_active = False
    orthopedics.save()

    response = post_intake(_inquiry(2))

    assert response.status_code == 400
    assert response.json()["service_line"] == [
        'The service line "orthopedics" is not taking inquiries.'
    ]


def test_a_service_line_switched_off_elsewhere_is_refused_once_the_copy_expires(post_intake, warm):
    ServiceLine.objects.filter(slug="orthopedics").update(is_active=False)

    assert post_intake(_inquiry(2)).status_code == 201  # this process's copy, still fresh
    with time_machine.travel(timezone.now() + AFTER_EXPIRY, tick=False):
        response = post_intake(_inquiry(3))

    assert response.status_code == 400
    assert "is not taking inquiries" in response.json()["service_line"][0]


def test_a_service_line_added_elsewhere_is_accepted_at_once(post_intake, warm):
    # bulk_create sends no signals: as if another process had added it.
    ServiceLine.objects.bulk_create([ServiceLine(name="Bariatrics", slug="bariatrics")])

    response = post_intake(_inquiry(2, service_line="bariatrics"))

    assert response.status_code == 201
    assert Lead.objects.get(pk=response.json()["id"]).service_line.slug == "bariatrics"


def test_a_renamed_service_line_slug_takes_effect_at_once(post_intake, orthopedics, warm):
    orthopedics.slug = "orthopaedics"
    orthopedics.save()

    old = post_intake(_inquiry(2))
    new = post_intake(_inquiry(3, service_line="orthopaedics"))

    assert old.json()["service_line"] == ['Unknown service line "orthopedics".']
    assert new.status_code == 201


def test_an_edited_service_line_answers_with_its_new_values(post_intake, orthopedics, warm):
    orthopedics.name = "Orthopedics and Sports Medicine"
    orthopedics.save()

    response = post_intake(_inquiry(2))

    lead = Lead.objects.select_related("service_line").get(pk=response.json()["id"])
    assert lead.service_line.name == "Orthopedics and Sports Medicine"


# --- Locations ----------------------------------------------------------------


def test_a_location_switched_off_is_refused_at_once(post_intake, riverside, warm):
    riverside.is_active = False
    riverside.save()

    response = post_intake(_inquiry(2))

    assert response.status_code == 400
    assert response.json()["location"] == ['The location "riverside" is not taking inquiries.']


def test_a_location_renamed_elsewhere_is_unknown_once_the_copy_expires(post_intake, warm):
    Location.objects.filter(slug="riverside").update(slug="riverside-old")

    with time_machine.travel(timezone.now() + AFTER_EXPIRY, tick=False):
        response = post_intake(_inquiry(2))

    assert response.json()["location"] == ['Unknown location "riverside".']


# --- Intake keys --------------------------------------------------------------


def test_a_revoked_key_is_refused_at_once(post_intake, intake_key, warm):
    intake_key.is_active = False
    intake_key.save(update_fields=["is_active"])

    assert post_intake(_inquiry(2)).status_code == 401


def test_a_deleted_key_is_refused_at_once(post_intake, intake_key, warm):
    intake_key.delete()

    assert post_intake(_inquiry(2)).status_code == 401


def test_a_key_revoked_elsewhere_is_refused_once_the_copy_expires(post_intake, warm):
    IntakeKey.objects.update(is_active=False)

    with time_machine.travel(timezone.now() + AFTER_EXPIRY, tick=False):
        response = post_intake(_inquiry(2))

    assert response.status_code == 401
    assert Lead.objects.count() == 1


def test_a_key_made_after_the_copy_works_at_once(post_intake, warm):
    _, raw_key = intake_key_create(name="chat-vendor")

    assert post_intake(_inquiry(2), key=raw_key).status_code == 201


def test_a_key_made_elsewhere_works_at_once(post_intake, warm):
    raw_key = "made-by-another-process"
    # bulk_create sends no signals: as if another process had made it.
    IntakeKey.objects.bulk_create(
        [IntakeKey(name="call-tracking", prefix=raw_key[:8], key_hash=intake_key_hash(raw_key))]
    )

    assert post_intake(_inquiry(2), key=raw_key).status_code == 201


def test_an_unknown_key_is_refused_every_time(post_intake, warm):
    for n in (2, 3):
        assert post_intake(_inquiry(n), key="not-a-key").status_code == 401
