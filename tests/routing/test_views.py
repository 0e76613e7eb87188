"""Managers manage routing rules in the app; staff mark themselves on or off shift."""

import pytest
from django.urls import reverse

from apps.routing.choices import Strategy
from apps.routing.models import RoutingRule
from tests.factories import LocationFactory, ServiceLineFactory, TeamFactory
from tests.routing.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


def rule_form_data(team, **overrides):
    data = {
        "name": "Spanish cardiology",
        "is_enabled": "on",
        "target_team": team.pk,
        "strategy": Strategy.ROUND_ROBIN,
        "urgent_weight": 2,
        "relax_after_minutes": 10,
        "languages": "es",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("routing:rule_list", []),
        ("routing:rule_create", []),
        ("routing:rule_edit", ["rule"]),
        ("routing:dry_run", []),
    ],
)
def test_rule_pages_are_for_managers_only(client, coordinator, team, name, args):
    rule = RoutingRuleFactory(target_team=team)
    client.force_login(coordinator)

    response = client.get(reverse(name, args=[rule.pk for _ in args]))

    assert response.status_code == 403


def test_rule_pages_need_a_login(client, team):
    response = client.get(reverse("routing:rule_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rule_count", [1, 8])
def test_rule_list_takes_a_fixed_number_of_queries(
    client, manager, team, rule_count, django_assert_num_queries
):
    line, location = ServiceLineFactory(), LocationFactory()
    for _ in range(rule_count):
        RoutingRuleFactory(target_team=team, service_lines=[line], locations=[location])
    client.force_login(manager)

    # session, user, roles, unread alerts, rules, their service lines, their locations
    with django_assert_num_queries(7):
        response = client.get(reverse("routing:rule_list"))

    assert response.status_code == 200
    assert response.content.decode().count('<tr id="rule-') == rule_count


def test_manager_creates_a_rule_at_the_end_of_the_order(client, manager, team):
    RoutingRuleFactory(target_team=team, position=4)
    line = ServiceLineFactory()
    client.force_login(manager)

    response = client.post(
        reverse("routing:rule_create"),
        rule_form_data(team, service_lines=[line.pk], urgencies=["urgent", "soon"],
                       languages="es, VI", match_language="on"),
    )  # fmt: skip

    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="Spanish cardiology")
    assert rule.position == 5
    assert list(rule.service_lines.all()) == [line]
    assert rule.urgencies == ["urgent", "soon"]
    assert rule.languages == ["es", "vi"]
    assert rule.match_language is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"target_team": ""}, "target_team"),
        ({"strategy": "random"}, "strategy"),
        ({"strategy": Strategy.FIXED_OWNER}, "fixed_owner"),
        ({"urgencies": ["very"]}, "urgencies"),
        ({"languages": "Spanish!"}, "languages"),
        ({"urgent_weight": 0}, "urgent_weight"),
    ],
)
def test_bad_rule_input_gives_field_errors(client, manager, team, overrides, field):
    client.force_login(manager)

    response = client.post(reverse("routing:rule_create"), rule_form_data(team, **overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RoutingRule.objects.exists()


def test_fixed_owner_must_be_in_the_rule_team(client, manager, team, staff):
    outsider = staff(TeamFactory(name="Spine", slug="spine"))
    client.force_login(manager)

    response = client.post(
        reverse("routing:rule_create"),
        rule_form_data(team, strategy=Strategy.FIXED_OWNER, fixed_owner=outsider.pk),
    )

    assert "is not a member of Cardiology intake" in str(response.context["form"].errors)


def test_manager_edits_a_rule(client, manager, team):
    rule = RoutingRuleFactory(target_team=team, name="Old", languages=["vi"])
    client.force_login(manager)

    page = client.get(reverse("routing:rule_edit", args=[rule.pk]))
    response = client.post(
        reverse("routing:rule_edit", args=[rule.pk]), rule_form_data(team, name="New")
    )

    assert 'value="vi"' in page.content.decode()
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.languages) == ("New", ["es"])


def test_manager_reorders_rules_with_htmx(client, manager, team):
    first = RoutingRuleFactory(target_team=team, name="First", position=1)
    second = RoutingRuleFactory(target_team=team, name="Second", position=2)
    client.force_login(manager)

    response = client.post(
        reverse("routing:rule_move", args=[second.pk]), {"direction": "up"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["Second", "First"]
    html = response.content.decode()
    assert "<html" not in html  # just the table fragment
    assert html.index("Second") < html.index("First")
    first.refresh_from_db()
    assert first.position == 2


def test_moving_the_last_rule_down_changes_nothing(client, manager, team):
    RoutingRuleFactory(target_team=team, name="First", position=1)
    last = RoutingRuleFactory(target_team=team, name="Last", position=2)
    client.force_login(manager)

    client.post(reverse("routing:rule_move", args=[last.pk]), {"direction": "down"})

    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["First", "Last"]


def test_manager_disables_and_enables_a_rule(client, manager, team):
    rule = RoutingRuleFactory(target_team=team)
    client.force_login(manager)

    client.post(reverse("routing:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    disabled = rule.is_enabled
    client.post(reverse("routing:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()

    assert (disabled, rule.is_enabled) == (False, True)


def test_rule_changes_need_post(client, manager, team):
    rule = RoutingRuleFactory(target_team=team)
    client.force_login(manager)

    assert client.get(reverse("routing:rule_toggle", args=[rule.pk])).status_code == 405


def test_staff_go_off_and_on_shift(client, coordinator):
    client.force_login(coordinator)

    client.post(reverse("routing:shift_toggle"), {"on_shift": "0"})
    coordinator.refresh_from_db()
    off = coordinator.is_on_shift
    response = client.post(
        reverse("routing:shift_toggle"), {"on_shift": "1"}, HTTP_HX_REQUEST="true"
    )
    coordinator.refresh_from_db()

    assert (off, coordinator.is_on_shift) == (False, True)
    assert "Go off shift" in response.content.decode()


def test_shift_toggle_redirects_back_but_never_off_site(client, coordinator):
    client.force_login(coordinator)

    back = client.post(reverse("routing:shift_toggle"), {"on_shift": "0", "next": "/alerts/"})
    away = client.post(
        reverse("routing:shift_toggle"), {"on_shift": "0", "next": "https://evil.example/"}
    )

    assert back["Location"] == "/alerts/"
    assert away["Location"] == reverse("home")


def test_every_page_header_has_the_shift_toggle_and_managers_see_the_routing_link(
    client, manager, coordinator
):
    page = reverse("alerts:list")  # any page built on base.html that everyone may open
    client.force_login(coordinator)
    coordinator_page = client.get(page).content.decode()
    client.force_login(manager)
    manager_page = client.get(page).content.decode()

    assert 'id="shift-toggle"' in coordinator_page
    assert reverse("routing:rule_list") not in coordinator_page
    assert reverse("routing:rule_list") in manager_page
