"""Managers see each team's members with what routing reads of them, and change it."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.leads.choices import Urgency
from apps.routing.choices import Strategy
from apps.routing.models import MemberSkills
from apps.teams.models import TeamMembership
from tests.factories import (
    LeadFactory,
    LocationFactory,
    ServiceLineFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.routing.factories import MemberSkillsFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return TeamFactory(name="Cardiology intake", slug="cardio-intake")


@pytest.fixture
def member(team, staff):
    return staff(team, username="ana", first_name="Ana", last_name="Ortiz", max_open_leads=15)


def profile_data(**overrides):
    data = {"max_open_leads": 15, "is_on_shift": "on", "languages": ["en"]}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def row_html(response, team, user) -> str:
    html = response.content.decode()
    start = html.index(f'id="team-{team.pk if team else "none"}-member-{user.pk}"')
    return html[start : html.index("</tr>", start)]


# --- Who may ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "superuser", "status"),
    [
        ([Role.INTAKE_COORDINATOR], False, 403),
        ([Role.LIAISON], False, 403),
        ([], False, 403),
        ([Role.MANAGER], False, 200),
        ([Role.ADMIN], False, 200),
        ([], True, 200),
    ],
)
@pytest.mark.parametrize("page", ["routing:member_list", "routing:member_edit"])
def test_team_members_pages_are_for_managers_and_admins(
    client, member, roles, superuser, status, page
):
    viewer = UserFactory(username="viewer", roles=roles, is_superuser=superuser)
    client.force_login(viewer)

    args = [member.pk] if page == "routing:member_edit" else []
    response = client.get(reverse(page, args=args))

    assert response.status_code == status


@pytest.mark.parametrize("role", [Role.INTAKE_COORDINATOR, Role.LIAISON])
def test_coordinators_and_liaisons_cannot_change_a_member(client, member, role):
    client.force_login(UserFactory(username="viewer", roles=[role]))

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(languages=["en", "es"], max_open_leads=40),
    )

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.languages == ["en"]
    assert member.max_open_leads == 15


@pytest.mark.parametrize("page", ["routing:member_list", "routing:member_edit"])
def test_team_members_pages_need_a_login(client, member, page):
    args = [member.pk] if page == "routing:member_edit" else []

    response = client.get(reverse(page, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_editing_someone_unknown_is_not_found(client, manager):
    client.force_login(manager)

    response = client.get(reverse("routing:member_edit", args=[999_999]))

    assert response.status_code == 404


def test_managers_find_the_page_from_the_rules_and_the_nav(client, manager):
    client.force_login(manager)

    html = client.get(reverse("routing:rule_list")).content.decode()

    assert html.count(f'href="{reverse("routing:member_list")}"') == 2  # nav and rules page


def test_coordinators_have_no_link_to_the_page(client, coordinator):
    client.force_login(coordinator)

    html = client.get(reverse("alerts:list")).content.decode()

    assert reverse("routing:member_list") not in html


# --- The list -----------------------------------------------------------------------


def test_list_shows_each_teams_members_with_their_routing_facts(client, manager, team, member):
    spine = TeamFactory(name="Spine intake", slug="spine-intake")
    TeamMembershipFactory(team=spine, user=member)
    away = UserFactory(
        username="bo", first_name="Bo", last_name="Lee", on_leave=True, is_on_shift=False,
        languages=["en", "vi"], max_open_leads=2, roles=[Role.INTAKE_COORDINATOR],
    )  # fmt: skip
    TeamMembershipFactory(team=team, user=away)
    cardiology = ServiceLineFactory(name="Cardiology", slug="cardiology")
    MemberSkillsFactory(
        user=away, service_lines=[cardiology], locations=[LocationFactory(name="North Campus")]
    )
    LeadFactory(owner=away, urgency=Urgency.URGENT)
    LeadFactory(owner=away)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    LeadFactory(
        owner=away, created_at=an_hour_ago, first_response_at=timezone.now()
    )  # contacted: not load
    LeadFactory(owner=away, created_at=an_hour_ago, closed_at=timezone.now())  # closed: not load
    client.force_login(manager)

    response = client.get(reverse("routing:member_list"))

    assert response.status_code == 200
    away_row = row_html(response, team, away)
    assert "On leave" in away_row and "Off shift" in away_row
    assert "English, Vietnamese" in away_row
    assert "Cardiology" in away_row and "North Campus" in away_row
    assert "2 / 2" in away_row and "1 urgent" in away_row
    ana_row = row_html(response, team, member)
    assert "On shift" in ana_row and "On leave" not in ana_row
    assert "0 / 15" in ana_row
    assert ana_row.count("All") == 2  # covers every service line and location
    assert row_html(response, spine, member)  # listed in both teams
    assert f'id="team-none-member-{manager.pk}"' in response.content.decode()


@pytest.mark.parametrize("teams", [1, 4])
def test_list_takes_a_fixed_number_of_queries(client, manager, teams, django_assert_num_queries):
    for index in range(teams):
        team = TeamFactory()
        line, location = ServiceLineFactory(), LocationFactory()
        for _ in range(index + 2):
            user = UserFactory(roles=[Role.INTAKE_COORDINATOR])
            TeamMembershipFactory(team=team, user=user)
            MemberSkillsFactory(user=user, service_lines=[line], locations=[location])
            LeadFactory(owner=user, urgency=Urgency.URGENT)
    client.force_login(manager)

    # session, user, roles, unread alerts, teams, memberships, members, their roles,
    # skills, skills' service lines, skills' locations, the loads
    with django_assert_num_queries(12):
        response = client.get(reverse("routing:member_list"))

    assert response.status_code == 200
    assert response.content.decode().count("1 urgent") == sum(i + 2 for i in range(teams))


# --- Editing ------------------------------------------------------------------------


def test_manager_changes_a_members_whole_routing_profile(client, manager, team, member):
    spine = TeamFactory(name="Spine intake", slug="spine-intake")
    cardiology = ServiceLineFactory(name="Cardiology", slug="cardiology")
    north = LocationFactory(name="North Campus")
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(
            languages=["en", "es"], max_open_leads=8, on_leave="on", is_on_shift=None,
            service_lines=[cardiology.pk], locations=[north.pk], teams=[spine.pk],
        ),
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("routing:member_list")
    member.refresh_from_db()
    assert member.languages == ["en", "es"]
    assert member.max_open_leads == 8
    assert member.on_leave is True
    assert member.is_on_shift is False
    assert list(member.routing_skills.service_lines.all()) == [cardiology]
    assert list(member.routing_skills.locations.all()) == [north]
    assert list(member.teams.all()) == [spine]
    entry = LogEntry.objects.get(object_id=str(member.pk))
    assert entry.user == manager
    assert "languages English → English, Spanish" in entry.change_message
    assert "capacity 15 → 8" in entry.change_message
    assert "teams Cardiology intake → Spine intake" in entry.change_message


def test_the_change_is_shown_on_the_list_and_in_the_members_history(client, manager, member):
    client.force_login(manager)
    url = reverse("routing:member_edit", args=[member.pk])

    response = client.post(
        url, profile_data(languages=["en", "es"], teams=[member.teams.get().pk]), follow=True
    )

    assert "Saved Ana Ortiz: languages English → English, Spanish." in response.content.decode()
    assert "English, Spanish" in row_html(response, member.teams.get(), member)
    history = client.get(url).content.decode()
    assert "Routing profile changed by Maria Manager: languages English → English, Spanish." in (
        history
    )


def test_saving_without_a_change_records_nothing(client, manager, member):
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(teams=[member.teams.get().pk]),
        follow=True,
    )

    assert "Nothing changed for Ana Ortiz." in response.content.decode()
    assert not LogEntry.objects.exists()
    assert not MemberSkills.objects.exists()


def test_the_form_starts_from_the_members_current_profile(client, manager, team, member):
    line = ServiceLineFactory(name="Oncology", slug="oncology")
    MemberSkillsFactory(user=member, service_lines=[line])
    client.force_login(manager)

    form = client.get(reverse("routing:member_edit", args=[member.pk])).context["form"]

    assert form.initial["languages"] == ["en"]
    assert form.initial["service_lines"] == [line.pk]
    assert form.initial["teams"] == [team.pk]
    assert form.initial["max_open_leads"] == 15
    assert ("es", "Spanish") in form.fields["languages"].choices
    assert ("es-mx", "Mexican Spanish") not in form.fields["languages"].choices


def test_languages_a_rule_asks_for_can_be_given_even_if_django_cannot_name_them(
    client, manager, team, member
):
    RoutingRuleFactory(target_team=team, languages=["zh"], match_language=True)
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]), profile_data(languages=["en", "zh"])
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.languages == ["en", "zh"]


def test_an_inactive_service_line_the_member_covers_is_kept(client, manager, member):
    retired = ServiceLineFactory(name="Retired line", slug="retired", is_active=False)
    MemberSkillsFactory(user=member, service_lines=[retired])
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(service_lines=[retired.pk], max_open_leads=9, teams=[member.teams.get().pk]),
    )

    assert response.status_code == 302
    assert list(member.routing_skills.service_lines.all()) == [retired]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_open_leads": ""}, "max_open_leads"),
        ({"max_open_leads": "-1"}, "max_open_leads"),
        ({"max_open_leads": "many"}, "max_open_leads"),
        ({"max_open_leads": "5000"}, "max_open_leads"),
        ({"languages": ["klingon"]}, "languages"),
        ({"service_lines": ["999999"]}, "service_lines"),
        ({"locations": ["north"]}, "locations"),
        ({"teams": ["999999"]}, "teams"),
    ],
)
def test_bad_input_gives_field_errors_and_saves_nothing(client, manager, member, overrides, field):
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(on_leave="on", **overrides),
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="form-error" role="alert"' in response.content.decode()
    member.refresh_from_db()
    assert member.on_leave is False
    assert not LogEntry.objects.exists()


def test_fixed_owner_of_a_rule_stays_in_its_team(client, manager, team, member):
    RoutingRuleFactory(
        name="VIP cardiology", target_team=team, strategy=Strategy.FIXED_OWNER, fixed_owner=member
    )
    client.force_login(manager)

    response = client.post(
        reverse("routing:member_edit", args=[member.pk]),
        profile_data(languages=["en", "es"], teams=[]),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["teams"]
    assert errors == [
        "Ana Ortiz is the fixed owner of “VIP cardiology” (Cardiology intake): change the "
        "rule before taking them out of its team."
    ]
    member.refresh_from_db()
    assert member.languages == ["en"]  # all or nothing
    assert TeamMembership.objects.filter(user=member, team=team).exists()


def test_a_member_is_added_to_a_team_from_not_in_a_team(client, manager, team):
    newcomer = UserFactory(username="newcomer", first_name="Noor", last_name="Haddad")
    client.force_login(manager)

    client.post(reverse("routing:member_edit", args=[newcomer.pk]), profile_data(teams=[team.pk]))
    response = client.get(reverse("routing:member_list"))

    assert row_html(response, team, newcomer)
    assert f'id="team-none-member-{newcomer.pk}"' not in response.content.decode()
    assert User.objects.get(pk=newcomer.pk).teams.get() == team
