"""Fixtures of the referrals tests: referral histories built in one INSERT each."""

import datetime as dt
import zoneinfo

import pytest

from apps.leads.choices import Channel, LeadType
from apps.leads.models import Lead
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import LocationFactory, PersonFactory, ServiceLineFactory, UserFactory

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# Fixed "now" of the figure tests: mid-June, noon in the hospital's time zone.
AS_OF = dt.datetime(2026, 6, 15, 12, 0, tzinfo=NEW_YORK)


@pytest.fixture
def orthopedics(db):
    return ServiceLineFactory(slug="orthopedics", name="Orthopedics")


@pytest.fixture
def make_referrals(db, orthopedics):
    """make_referrals(source, [created_at, ...], **fields) -> leads, in one bulk insert.

    Every lead gets the same (synthetic) person; fields override the defaults, and a
    field may be a callable of the created_at for per-lead values.
    """
    person = PersonFactory()
    location = LocationFactory()

    def make(source, moments, **fields):
        stage = stage_get_by_slug(fields.pop("stage", "new"))
        leads = []
        for created_at in moments:
            values = {
                name: value(created_at) if callable(value) else value
                for name, value in fields.items()
            }
            values.setdefault("service_line", orthopedics)
            leads.append(
                Lead(
                    person=person,
                    lead_type=LeadType.PHYSICIAN_REFERRAL,
                    channel=Channel.REFERRAL,
                    first_touch_channel=Channel.REFERRAL,
                    latest_touch_channel=Channel.REFERRAL,
                    location=location,
                    stage=stage,
                    referral_source=source,
                    created_at=created_at,
                    stage_entered_at=created_at,
                    last_touch_at=created_at,
                    **values,
                )
            )
        return Lead.objects.bulk_create(leads)

    return make


@pytest.fixture
def liaison(db):
    return UserFactory(username="liaison-north", first_name="Nora", roles=["liaison"])


@pytest.fixture
def manager(db):
    return UserFactory(username="manager1", first_name="Mina", roles=["manager"])
