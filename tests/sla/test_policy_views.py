"""Managers keep response policies in the app; others may not."""

import pytest

from apps.sla.models import ResponsePolicy
from tests.sla.factories import ResponsePolicyFactory

pytestmark = pytest.mark.django_db


def test_coordinator_cannot_open_the_policy_page(client, owner):
    client.force_login(owner)

    assert client.get("/sla/policies/").status_code == 403


def test_manager_sees_policies_in_a_fixed_number_of_queries(
    client, manager, service_line, django_assert_max_num_queries
):
    for urgency in ("urgent", "soon", "routine"):
        ResponsePolicyFactory(service_line=service_line, urgency=urgency, target_minutes=30)
    client.force_login(manager)

    # session, user, role names, unread badge, policies (with their service line), the
    # service lines' default targets
    with django_assert_max_num_queries(6):
        response = client.get("/sla/policies/")

    assert response.status_code == 200
    policies = response.content.decode().split("<h2>Policies</h2>")[1]
    assert policies.count('href="/sla/policies/') == 4  # 3 rows + "Add"


def test_the_policy_page_says_what_stops_the_clock(client, manager):
    client.force_login(manager)

    html = client.get("/sla/policies/").content.decode()

    assert "What stops the clock" in html
    assert "A call with no answer, a busy line, a wrong number or a voicemail does not" in html


def test_manager_adds_a_policy(client, manager, service_line):
    client.force_login(manager)

    response = client.post(
        "/sla/policies/new/",
        {
            "service_line": service_line.pk,
            "urgency": "soon",
            "lead_type": "",
            "target_minutes": "45",
            "owner_notice_percent": "80",
            "alert_at_breach": "on",
            "fallback_after_breach_minutes": "",
            "missed_call_return_minutes": "20",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    policy = ResponsePolicy.objects.get()
    assert (policy.target_minutes, policy.owner_notice_percent) == (45, 80)
    assert policy.fallback_after_breach_minutes is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_notice_percent", "150", "less than or equal to 99"),
        ("target_minutes", "0", "greater than or equal to 1"),
        ("urgency", "whenever", "valid choice"),
        ("missed_call_return_minutes", "", "required"),
    ],
)
def test_bad_policy_values_are_reported_by_field(
    client, manager, service_line, field, value, message
):
    client.force_login(manager)
    data = {
        "service_line": service_line.pk,
        "urgency": "",
        "lead_type": "",
        "target_minutes": "",
        "owner_notice_percent": "75",
        "missed_call_return_minutes": "30",
        "is_active": "on",
        field: value,
    }

    response = client.post("/sla/policies/new/", data)

    assert response.status_code == 200
    form = response.context["form"]
    errors = " ".join(str(e) for e in form.errors.get(field, []) + form.non_field_errors())
    assert message in errors
    assert not ResponsePolicy.objects.exists()


def test_duplicate_policy_is_refused(client, manager, service_line):
    ResponsePolicyFactory(service_line=service_line, urgency="soon")
    client.force_login(manager)

    response = client.post(
        "/sla/policies/new/",
        {
            "service_line": service_line.pk,
            "urgency": "soon",
            "lead_type": "",
            "owner_notice_percent": "75",
            "missed_call_return_minutes": "30",
        },
    )

    assert response.status_code == 200
    assert ResponsePolicy.objects.count() == 1
