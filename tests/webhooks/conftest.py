import pytest

from apps.accounts.choices import Role
from apps.webhooks.choices import WebhookEventType
from apps.webhooks.services import webhook_endpoint_create
from tests.factories import UserFactory
from tests.intake.conftest import (  # noqa: F401 - intake's fixtures, for lead.created
    intake_key_pair,
    intake_url,
    orthopedics,
    post_intake,
    raw_key,
    riverside,
)
from tests.webhooks.receiver import Receiver


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=[Role.MANAGER], first_name="Maria")


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def endpoint(manager, receiver):
    made = webhook_endpoint_create(
        owner=manager, url=receiver.url, event_types=list(WebhookEventType.values)
    )
    receiver.secret = made.secret
    return made
