"""Each service line's default targets, edited on the Response times page."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from tests.factories import ServiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_changes_a_service_lines_targets(client):
    line = ServiceLineFactory(name="Cardiology")
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    assert "Cardiology" in client.get(reverse("sla:policy_list")).content.decode()

    response = client.post(
        reverse("sla:service_line_targets", args=[line.pk]),
        {
            "urgent_response_minutes": 10,
            "soon_response_minutes": 45,
            "routine_response_minutes": 240,
        },
        follow=True,
    )

    line.refresh_from_db()
    assert (line.urgent_response_minutes, line.soon_response_minutes) == (10, 45)
    assert "Cardiology: urgent 15 → 10 min; soon 60 → 45 min." in response.content.decode()


def test_a_target_under_a_minute_is_a_field_error(client):
    line = ServiceLineFactory()
    client.force_login(UserFactory(roles=[Role.MANAGER]))
    response = client.post(
        reverse("sla:service_line_targets", args=[line.pk]),
        {
            "urgent_response_minutes": 0,
            "soon_response_minutes": 45,
            "routine_response_minutes": 240,
        },
    )
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.urgent_response_minutes == 15
