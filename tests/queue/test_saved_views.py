"""Saved views of the queue: personal and shared, scoped to the viewer, and the pages
that save, pick, rename and delete them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.accounts.choices import Role
from apps.queue.models import SavedView, ViewSharing
from apps.queue.selectors.saved_views import saved_view_get_for_user, saved_view_list_for_user
from apps.queue.services import saved_view_create, saved_view_delete, saved_view_rename
from tests.factories import ServiceLineFactory, TeamMembershipFactory, UserFactory

QUEUE = reverse("queue:index")


def rows(response) -> list[str]:
    return [row.lead.person_name for row in response.context["page"].rows]


@pytest.fixture
def cardiology(db):
    return ServiceLineFactory(slug="cardiology", name="Cardiology")


def test_a_personal_view_is_seen_by_its_owner_only(coordinator, colleague):
    view = saved_view_create(owner=coordinator, name="Urgent", filters={}, columns=[], sort="")

    assert saved_view_list_for_user(user=coordinator) == [view]
    assert saved_view_list_for_user(user=colleague) == []
    with pytest.raises(SavedView.DoesNotExist):
        saved_view_get_for_user(user=colleague, view_id=view.pk)


def test_a_view_shared_with_a_team_is_seen_by_its_members_only(
    manager, coordinator, team, other_team
):
    outsider = UserFactory(username="casey", roles=[Role.INTAKE_COORDINATOR])
    TeamMembershipFactory(team=other_team, user=outsider)
    view = saved_view_create(
        owner=manager, name="Ortho today", filters={}, columns=[], sort="",
        sharing=ViewSharing.TEAM, team=team,
    )  # fmt: skip

    assert saved_view_get_for_user(user=coordinator, view_id=view.pk) == view
    with pytest.raises(SavedView.DoesNotExist):
        saved_view_get_for_user(user=outsider, view_id=view.pk)


def test_a_view_shared_with_everyone_is_seen_by_everyone(manager, coordinator):
    view = saved_view_create(
        owner=manager, name="All urgent", filters={"urgency": "urgent"}, columns=[], sort="",
        sharing=ViewSharing.EVERYONE,
    )  # fmt: skip
    assert saved_view_list_for_user(user=coordinator) == [view]


def test_only_managers_share_views(coordinator, team):
    with pytest.raises(ValidationError) as error:
        saved_view_create(
            owner=coordinator, name="Mine", filters={}, columns=[], sort="",
            sharing=ViewSharing.TEAM, team=team,
        )  # fmt: skip
    assert "sharing" in error.value.message_dict


def test_a_search_is_never_stored_in_a_view(coordinator):
    view = saved_view_create(
        owner=coordinator, name="Rivera", filters={"q": "Rivera", "urgency": "urgent"},
        columns=[], sort="",
    )  # fmt: skip
    assert view.filters == {"urgency": "urgent"}


def test_two_of_my_views_cannot_share_a_name(coordinator):
    saved_view_create(owner=coordinator, name="Urgent", filters={}, columns=[], sort="")
    with pytest.raises(ValidationError) as error:
        saved_view_create(owner=coordinator, name="urgent ", filters={}, columns=[], sort="")
    assert "already have a view" in error.value.message_dict["name"][0]


def test_owner_renames_and_deletes_their_view_but_a_colleague_cannot(coordinator, colleague):
    view = saved_view_create(owner=coordinator, name="Urgent", filters={}, columns=[], sort="")
    with pytest.raises(PermissionDenied):
        saved_view_rename(view=view, name="Mine now", actor=colleague)
    saved_view_rename(view=view, name="Urgent first", actor=coordinator)
    assert SavedView.objects.get().name == "Urgent first"
    saved_view_delete(view=view, actor=coordinator)
    assert not SavedView.objects.exists()


def test_a_member_of_the_team_cannot_delete_a_shared_view_but_another_manager_can(
    manager, coordinator, team
):
    view = saved_view_create(
        owner=manager, name="Ortho", filters={}, columns=[], sort="",
        sharing=ViewSharing.TEAM, team=team,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        saved_view_delete(view=view, actor=coordinator)
    other_manager = UserFactory(username="mo", roles=[Role.MANAGER])
    saved_view_delete(view=view, actor=other_manager)
    assert not SavedView.objects.exists()


def test_a_shared_view_never_widens_what_the_viewer_sees(
    logged_in, manager, coordinator, team, other_team, routed_lead, cardiology
):
    """The manager's view of every team's cardiology leads shows a coordinator only the
    cardiology leads of their own team."""
    routed_lead(team=team, service_line=cardiology, person__first_name="Ours")
    routed_lead(team=other_team, service_line=cardiology, person__first_name="Theirs")
    routed_lead(team=team, person__first_name="Ortho")
    view = saved_view_create(
        owner=manager, name="Cardiology", filters={"scope": "teams", "service_line": cardiology.pk},
        columns=["stage", "owner"], sort="deadline", sharing=ViewSharing.EVERYONE,
    )  # fmt: skip

    response = logged_in(coordinator).get(QUEUE, {"view": view.pk})

    assert [name.split()[0] for name in rows(response)] == ["Ours"]
    assert [name for name, _ in response.context["columns"]] == ["stage", "owner"]

    response = logged_in(manager).get(QUEUE, {"view": view.pk})
    assert sorted(name.split()[0] for name in rows(response)) == ["Ours", "Theirs"]


def test_someone_elses_personal_view_answers_404(logged_in, coordinator, colleague):
    view = saved_view_create(owner=colleague, name="Blake's", filters={}, columns=[], sort="")
    client = logged_in(coordinator)
    assert client.get(QUEUE, {"view": view.pk}).status_code == 404
    assert client.get(QUEUE, {"view": "nope"}).status_code == 404
    assert client.post(reverse("queue:view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_saving_the_current_filters_as_a_view_opens_it(logged_in, coordinator):
    response = logged_in(coordinator).post(
        reverse("queue:view_create"),
        {"name": "Urgent calls", "sharing": "personal", "urgency": "urgent", "channel": "phone",
         "sort": "deadline", "columns": ["stage", "age"], "q": "Rivera"},
    )  # fmt: skip
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?view={view.pk}"
    assert view.filters == {"urgency": "urgent", "channel": "phone"}
    assert (view.columns, view.sort, view.owner) == (["stage", "age"], "deadline", coordinator)


def test_a_view_without_a_name_shows_the_error_on_the_queue(logged_in, coordinator):
    response = logged_in(coordinator).post(reverse("queue:view_create"), {"name": ""})
    assert response.status_code == 400
    assert response.context["save_form"].errors["name"]


def test_a_coordinator_posting_a_shared_view_gets_a_field_error(logged_in, coordinator, team):
    response = logged_in(coordinator).post(
        reverse("queue:view_create"), {"name": "Ortho", "sharing": "team", "team": team.pk}
    )
    assert response.status_code == 400
    assert response.context["save_form"].errors["sharing"]
    assert not SavedView.objects.exists()


def test_manager_publishes_a_view_to_a_team(logged_in, manager, team):
    response = logged_in(manager).post(
        reverse("queue:view_create"),
        {"name": "Ortho urgent", "sharing": "team", "team": team.pk, "urgency": "urgent"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.sharing, view.team) == ("team", team)


def test_rename_with_an_empty_name_changes_nothing(logged_in, coordinator):
    view = saved_view_create(owner=coordinator, name="Urgent", filters={}, columns=[], sort="")
    client = logged_in(coordinator)
    client.post(reverse("queue:view_rename", args=[view.pk]), {"name": " "})
    assert SavedView.objects.get().name == "Urgent"
    client.post(reverse("queue:view_rename", args=[view.pk]), {"name": "Urgent first"})
    assert SavedView.objects.get().name == "Urgent first"


def test_deadline_order_pages_through_every_row_once(logged_in, coordinator, team, routed_lead):
    made = {
        routed_lead(
            team=team,
            owner=coordinator,
            due_in=n * 7 - 30,
            urgency="urgent" if n % 3 == 0 else "routine",
        ).pk
        for n in range(12)
    }
    client = logged_in(coordinator)
    seen, after = [], ""
    for _ in range(10):
        params = {"sort": "deadline", "size": 5}
        if after:
            params["after"] = after
        page = client.get(QUEUE, params).context["page"]
        seen += [row.lead for row in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor.encode()
    assert {lead.pk for lead in seen} == made
    assert len(seen) == len(made)
    dues = [lead.sla_due_at for lead in seen]
    assert dues == sorted(dues)  # urgent ones are not pulled to the top in this order


# The queue with a saved view applied: the page's budget (test_queue_page.py) plus one
# query to read the view.
VIEW_PAGE_QUERIES = 15


@pytest.mark.parametrize("leads", [3, 40])
def test_queue_with_a_saved_view_runs_a_fixed_number_of_queries(
    logged_in, manager, coordinator, team, routed_lead, cardiology, django_assert_num_queries, leads
):
    for n in range(leads):
        routed_lead(team=team, owner=coordinator, service_line=cardiology, due_in=n)
    view = saved_view_create(
        owner=manager, name="Cardiology", filters={"service_line": cardiology.pk},
        columns=["stage", "owner", "age"], sort="deadline", sharing=ViewSharing.EVERYONE,
    )  # fmt: skip
    client = logged_in(coordinator)
    with django_assert_num_queries(VIEW_PAGE_QUERIES):
        response = client.get(QUEUE, {"view": view.pk, "size": 200})
    assert len(rows(response)) == leads
