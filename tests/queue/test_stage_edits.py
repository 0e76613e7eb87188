"""A stage edited in the admin shows on the queue without a restart: at once in the
process that saved it, and within REFERENCE_CACHE_SECONDS in every other one (the
stages are cached, apps.core.reference_cache)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.core.reference_cache import REFERENCE_CACHE_SECONDS
from apps.pipeline.models import PipelineStage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("queue:index")


@pytest.fixture
def queue_showing_contacted(client, coordinator, team, routed_lead):
    stage = PipelineStage.objects.get(slug="contacted")
    routed_lead(team=team, owner=coordinator, stage=stage)
    client.force_login(coordinator)
    assert "Contacted" in client.get(QUEUE).content.decode()  # the stages are cached now
    return stage


def test_a_stage_renamed_in_the_admin_shows_on_the_next_page(
    client, coordinator, queue_showing_contacted
):
    stage = queue_showing_contacted
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:pipeline_pipelinestage_change", args=[stage.pk]),
        {
            "name": "Reached by phone",
            "slug": stage.slug,
            "kind": stage.kind,
            "position": stage.position,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    client.force_login(coordinator)
    assert "Reached by phone" in client.get(QUEUE).content.decode()


def test_a_stage_renamed_by_another_process_shows_within_seconds(client, queue_showing_contacted):
    # An UPDATE sends no model signal: what a rename in another process looks like here.
    PipelineStage.objects.filter(pk=queue_showing_contacted.pk).update(name="Reached by phone")

    later = timezone.now() + dt.timedelta(seconds=REFERENCE_CACHE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert "Reached by phone" in client.get(QUEUE).content.decode()
