import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.alerts.models import Alert
from apps.leads.merging import lead_duplicate_suggestions, lead_merge, lead_merge_undo
from apps.leads.models import Activity, LeadMerge
from apps.leads.selectors import lead_visible_to
from apps.leads.services import activity_log
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import ActivityFactory, PersonFactory

pytestmark = pytest.mark.django_db


def suggested(lead, user):
    return [
        s.lead for s in lead_duplicate_suggestions(lead=lead, visible=lead_visible_to(user=user))
    ]


@pytest.fixture
def ana(db):
    return PersonFactory(
        first_name="Ana",
        last_name="Rivera",
        phone="+13125550188",
        email="ana.rivera@example.com",
        date_of_birth=dt.date(1961, 4, 2),
    )


@pytest.mark.parametrize(
    ("other_fields", "reason"),
    [
        ({"phone": "+13125550188", "email": "", "last_name": "Other"}, "same phone"),
        ({"phone": "", "email": "ANA.Rivera@Example.com", "last_name": "Other"}, "same email"),
        (
            {"first_name": "Anna", "phone": "", "email": "", "date_of_birth": dt.date(1961, 4, 2)},
            "similar name, same birth date",
        ),
    ],
)
def test_duplicates_are_suggested_by_phone_email_or_similar_name_and_birth_date(
    coordinator, team, routed_lead, ana, other_fields, reason
):
    lead = routed_lead(team=team, person=ana)
    other = routed_lead(team=team, person=PersonFactory(**{"last_name": "Rivera", **other_fields}))

    suggestions = lead_duplicate_suggestions(lead=lead, visible=lead_visible_to(user=coordinator))

    assert [s.lead for s in suggestions] == [other]
    assert reason in suggestions[0].reasons


@pytest.mark.parametrize(
    "other_fields",
    [
        {"first_name": "Anna", "date_of_birth": dt.date(1961, 4, 3)},  # another birth date
        {"first_name": "Maria", "date_of_birth": dt.date(1961, 4, 2)},  # another first name
    ],
)
def test_names_alone_or_birth_dates_alone_are_not_duplicates(
    coordinator, team, routed_lead, ana, other_fields
):
    lead = routed_lead(team=team, person=ana)
    routed_lead(
        team=team, person=PersonFactory(last_name="Rivera", phone="", email="", **other_fields)
    )
    assert suggested(lead, coordinator) == []


def test_duplicates_the_user_may_not_see_or_already_merged_are_not_suggested(
    coordinator, team, other_team, routed_lead, ana
):
    lead = routed_lead(team=team, person=ana)
    routed_lead(team=other_team, person=PersonFactory(phone=ana.phone))
    survivor = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    merged = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    lead_merge(survivor=survivor, duplicate=merged, actor=coordinator)

    assert suggested(lead, coordinator) == [survivor]


def test_merge_keeps_every_activity_of_both_and_records_who_merged(
    coordinator, team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone), touch_count=2)
    kept = [ActivityFactory(lead=survivor, body=f"survivor {n}") for n in range(2)]
    moved = [ActivityFactory(lead=duplicate, body=f"duplicate {n}") for n in range(3)]

    merge = lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)

    assert set(survivor.activities.values_list("pk", flat=True)) >= {a.pk for a in kept + moved}
    assert sorted(merge.moved_activity_ids) == sorted(a.pk for a in moved)
    assert (merge.merged_by, merge.survivor, merge.duplicate) == (coordinator, survivor, duplicate)
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert (duplicate.stage.slug, duplicate.lost_reason) == ("disqualified", "duplicate")
    assert duplicate.closed_at is not None
    assert survivor.touch_count == 3
    assert duplicate.activities.get().kind == "stage_change"  # its closing, on its own timeline


def test_merge_stops_the_survivors_clock_when_the_person_was_answered_on_the_duplicate(
    coordinator, team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    activity_log(
        lead=duplicate, kind="call", actor=coordinator, direction="outbound", outcome="reached"
    )
    duplicate.refresh_from_db()

    lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)

    survivor.refresh_from_db()
    assert survivor.first_response_at == duplicate.first_response_at


def test_undo_puts_everything_back_and_keeps_what_was_logged_since(
    coordinator, colleague, team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    contacted = stage_get_by_slug("contacted")
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone), stage=contacted)
    duplicate_stage_entered_at = duplicate.stage_entered_at
    activity_log(
        lead=duplicate, kind="call", actor=coordinator, direction="outbound", outcome="reached"
    )
    moved = list(duplicate.activities.values_list("pk", flat=True))
    merge = lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)
    since = activity_log(lead=survivor, kind="note", actor=coordinator, body="after the merge")

    lead_merge_undo(merge=merge, actor=colleague)

    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    merge.refresh_from_db()
    assert set(duplicate.activities.filter(pk__in=moved).values_list("pk", flat=True)) == set(moved)
    assert since.lead_id == survivor.pk and survivor.activities.filter(pk=since.pk).exists()
    assert (duplicate.stage, duplicate.closed_at, duplicate.lost_reason) == (contacted, None, "")
    assert duplicate.stage_entered_at == duplicate_stage_entered_at
    assert duplicate.merged_into is None
    assert survivor.first_response_at is None
    assert survivor.touch_count == 1
    assert (merge.undone_by, merge.undone_at is not None) == (colleague, True)
    reopened = duplicate.activities.filter(kind="stage_change").latest("id")
    assert (reopened.from_stage.slug, reopened.to_stage) == ("disqualified", contacted)


def test_a_merge_is_undone_once(coordinator, team, routed_lead, ana):
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    merge = lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)
    lead_merge_undo(merge=merge, actor=coordinator)
    with pytest.raises(ValidationError, match="already been undone"):
        lead_merge_undo(merge=merge, actor=coordinator)


@pytest.mark.parametrize("case", ["itself", "already merged", "into a merged lead"])
def test_merges_that_make_no_sense_are_refused(coordinator, team, routed_lead, ana, case):
    first = routed_lead(team=team, person=ana)
    second = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    third = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    if case != "itself":
        lead_merge(survivor=first, duplicate=second, actor=coordinator)
    survivor, duplicate = {
        "itself": (first, first),
        "already merged": (third, second),
        "into a merged lead": (second, third),
    }[case]
    with pytest.raises(ValidationError):
        lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)


# --- Through the lead page ---------------------------------------------------------------


def test_merge_and_undo_from_the_lead_page(logged_in, coordinator, team, routed_lead, ana):
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    note = ActivityFactory(lead=duplicate, body="Asked about parking.")
    Alert.objects.create(lead=duplicate, recipient=coordinator, level="breach")
    client = logged_in(coordinator)
    page = client.get(reverse("queue:lead", args=[survivor.pk])).content.decode()
    assert "Possible duplicates" in page and f"Lead #{duplicate.pk}" in page

    confirm = client.get(
        reverse("queue:lead_merge", args=[survivor.pk]), {"duplicate": duplicate.pk}
    )
    assert "same phone" in confirm.content.decode()
    assert not LeadMerge.objects.exists()  # nothing merged before the confirmation

    response = client.post(
        reverse("queue:lead_merge", args=[survivor.pk]),
        {"duplicate": duplicate.pk, "confirm": "merge"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert f"Lead #{duplicate.pk} merged into this lead" in html
    assert "Asked about parking." in html
    assert "Alert: Response time breached" in html  # the duplicate's alerts come along
    assert "Undo merge" in html
    merge = LeadMerge.objects.get()
    assert merge.merged_by == coordinator

    client.post(reverse("queue:lead_merge_undo", args=[survivor.pk, merge.pk]))

    note.refresh_from_db()
    assert note.lead_id == duplicate.pk


def test_cannot_merge_in_a_lead_of_another_team(
    logged_in, coordinator, team, other_team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    hidden = routed_lead(team=other_team, person=PersonFactory(phone=ana.phone))
    response = logged_in(coordinator).post(
        reverse("queue:lead_merge", args=[survivor.pk]),
        {"duplicate": hidden.pk, "confirm": "merge"},
    )
    assert response.status_code == 404
    assert not LeadMerge.objects.exists()


def test_the_merged_lead_says_where_it_went(logged_in, coordinator, team, routed_lead, ana):
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=team, person=PersonFactory(phone=ana.phone))
    lead_merge(survivor=survivor, duplicate=duplicate, actor=coordinator)
    html = logged_in(coordinator).get(reverse("queue:lead", args=[duplicate.pk])).content.decode()
    assert "This lead was merged into" in html
    assert f"lead #{survivor.pk}" in html
    assert Activity.objects.filter(lead=duplicate, kind="stage_change").exists()


# --- Issue 14: only one person's leads, both in scope, confirmed first ---------------


def test_two_different_patients_cannot_be_merged(logged_in, coordinator, team, routed_lead, ana):
    # Hole 3: different names, birth dates and contacts moved 11 timeline entries onto
    # another patient.
    survivor = routed_lead(team=team, person=ana)
    stranger = PersonFactory(
        first_name="Zed",
        last_name="Quill",
        phone="+13125550999",
        email="zq@example.com",
        date_of_birth=dt.date(1990, 1, 1),
    )
    other = routed_lead(team=team, person=stranger)
    note = ActivityFactory(lead=other, body="Call notes of another patient.")
    client = logged_in(coordinator)

    screen = client.get(reverse("queue:lead_merge", args=[survivor.pk]), {"duplicate": other.pk})
    response = client.post(
        reverse("queue:lead_merge", args=[survivor.pk]), {"duplicate": other.pk, "confirm": "merge"}
    )

    assert "not the same person" in screen.content.decode()
    assert 'value="merge"' not in screen.content.decode()
    assert response.status_code == 302
    assert not LeadMerge.objects.exists()
    note.refresh_from_db()
    assert note.lead_id == other.pk
    with pytest.raises(ValidationError) as refused:
        lead_merge(survivor=survivor, duplicate=other, actor=coordinator)
    assert "duplicate" in refused.value.message_dict


def test_the_confirmation_shows_both_leads_side_by_side(
    logged_in, coordinator, team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    twin = PersonFactory(first_name="Anna", last_name="Rivera", phone=ana.phone, email="")
    duplicate = routed_lead(team=team, person=twin)

    html = (
        logged_in(coordinator)
        .get(reverse("queue:lead_merge", args=[survivor.pk]), {"duplicate": duplicate.pk})
        .content.decode()
    )

    assert "Ana Rivera" in html and "Anna Rivera" in html
    assert f"lead #{survivor.pk}" in html and f"lead #{duplicate.pk}" in html
    assert "same phone" in html
    assert 'name="confirm" value="merge"' in html


def test_the_merge_screen_of_a_lead_out_of_scope_is_404(
    logged_in, coordinator, team, other_team, routed_lead, ana
):
    survivor = routed_lead(team=team, person=ana)
    hidden = routed_lead(team=other_team, person=PersonFactory(phone=ana.phone))
    client = logged_in(coordinator)
    assert (
        client.get(reverse("queue:lead_merge", args=[survivor.pk]), {"duplicate": hidden.pk})
    ).status_code == 404
    assert (
        client.get(reverse("queue:lead_merge", args=[hidden.pk]), {"duplicate": survivor.pk})
    ).status_code == 404


def test_undoing_a_merge_needs_both_leads_in_scope(
    logged_in, coordinator, manager, team, other_team, routed_lead, ana
):
    # Hole 4: undo wrote to a lead the user could not see.
    survivor = routed_lead(team=team, person=ana)
    duplicate = routed_lead(team=other_team, person=PersonFactory(phone=ana.phone))
    merge = lead_merge(survivor=survivor, duplicate=duplicate, actor=manager)

    response = logged_in(coordinator).post(
        reverse("queue:lead_merge_undo", args=[survivor.pk, merge.pk])
    )

    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None
