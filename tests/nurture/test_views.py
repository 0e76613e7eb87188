"""Managers build tracks in the app; staff see a lead's nurture, enroll and stop by hand."""

import pytest
from pytest_django.asserts import assertContains

from apps.accounts.choices import Role
from apps.nurture.choices import EnrollmentStatus, ExitReason, StepAction
from apps.nurture.models import NurtureEnrollment, NurtureTrack
from apps.nurture.services import nurture_enroll
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import UserFactory
from tests.nurture.conftest import T0, step

pytestmark = pytest.mark.django_db


def track_post(steps, **track_fields):
    data = {
        "name": "Bariatrics, patient, not ready",
        "purpose": "care_coordination",
        "service_line": "",
        "lead_type": "patient",
        "entry_trigger": "stage",
        "entry_stage": stage_get_by_slug("not-ready").pk,
        "entry_min_unanswered_calls": "0",
        "scheduling_link": "hospital.test/book",
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
        **track_fields,
    }
    for index, values in enumerate(steps):
        for name, value in values.items():
            data[f"steps-{index}-{name}"] = value
    return data


EMAIL_STEP = {
    "wait_amount": "0",
    "wait_unit": "business_days",
    "action": "email",
    "subject": "News from {{ location }}",
    "body": "Hi {{ first_name }}, book at {{ scheduling_link }}.",
}
SMS_STEP = {
    "wait_amount": "2",
    "wait_unit": "business_days",
    "action": "sms",
    "subject": "",
    "body": "Hi {{ first_name }}, any questions? Call {{ coordinator_phone }}.",
}


@pytest.mark.parametrize("url", ["/nurture/", "/nurture/tracks/new/", "/nurture/failed/"])
def test_track_pages_are_for_managers_only(client, coordinator, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(coordinator)
    assert client.get(url).status_code == 403


def test_manager_builds_a_track_with_steps_in_the_order_given(client, manager, clock):
    client.force_login(manager)
    data = track_post([{**EMAIL_STEP, "position": "2"}, {**SMS_STEP, "position": "1"}])

    response = client.post("/nurture/tracks/new/", data)

    assert response.status_code == 302
    track = NurtureTrack.objects.get()
    assert [s.action for s in track.steps.order_by("position")] == [
        StepAction.SMS,
        StepAction.EMAIL,
    ]
    assert (track.is_active, track.activated_at, track.created_by) == (True, T0, manager)
    assert track.scheduling_link == "https://hospital.test/book"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "Your {{ condition_interest }} consult"),
        ("body", "{% if payer %}Covered{% endif %}"),
        ("subject", "Hello {{ first_name }}"),
    ],
)
def test_forbidden_placeholder_is_shown_on_its_step_field_and_nothing_is_saved(
    client, manager, field, value
):
    client.force_login(manager)
    data = track_post([{**EMAIL_STEP, field: value}])

    response = client.post("/nurture/tracks/new/", data)

    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors
    assert list(errors) == [field]
    assert "cannot be used" in errors[field][0] or "Braces" in errors[field][0]
    assert not NurtureTrack.objects.exists()


def test_stage_track_without_a_stage_is_refused_on_the_stage_field(client, manager):
    client.force_login(manager)

    response = client.post("/nurture/tracks/new/", track_post([EMAIL_STEP], entry_stage=""))

    assert response.status_code == 400
    assert "entry_stage" in response.context["form"].errors


def test_add_a_step_row_with_htmx(client, manager):
    client.force_login(manager)

    response = client.get(
        "/nurture/tracks/step-row/", {"steps-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true"
    )

    assertContains(response, 'name="steps-2-body"')
    assertContains(response, 'name="steps-TOTAL_FORMS" value="3"')
    assertContains(response, 'hx-swap-oob="true"')


def test_step_that_already_ran_cannot_be_removed(client, manager, make_track, make_lead):
    track = make_track(steps=[step(), step(StepAction.SMS)], trigger="manual", stage=None)
    nurture_enroll(track=track, lead=make_lead(), actor=manager)
    first, second = track.steps.order_by("position")
    client.force_login(manager)
    data = track_post(
        [
            {**EMAIL_STEP, "id": first.pk, "position": "1", "DELETE": "on"},
            {**SMS_STEP, "id": second.pk, "position": "2"},
        ],
        name=track.name,
        entry_trigger="manual",
        entry_stage="",
        **{"steps-INITIAL_FORMS": "2"},
    )

    response = client.post(f"/nurture/tracks/{track.pk}/", data)

    assert response.status_code == 400
    assertContains(response, "has already run", status_code=400)
    assert track.steps.count() == 2


def test_track_list_runs_the_same_queries_for_one_track_or_many(
    client, manager, make_track, django_assert_num_queries
):
    make_track(steps=[step(), step(StepAction.SMS)])
    client.force_login(manager)
    client.get("/nurture/")  # session and role lookups warm

    with django_assert_num_queries(7) as one:
        client.get("/nurture/")
    for _ in range(5):
        make_track(steps=[step(), step(StepAction.SMS), step(StepAction.CALL_TASK)])
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/nurture/")

    assert len(response.context["tracks"]) == 6


def test_switch_a_track_off_with_htmx(client, manager, make_track):
    track = make_track()
    client.force_login(manager)

    response = client.post(f"/nurture/tracks/{track.pk}/toggle/", HTTP_HX_REQUEST="true")

    assertContains(response, 'id="track-table"')
    track.refresh_from_db()
    assert not track.is_active


def test_nav_shows_nurture_to_managers_only(client, manager, coordinator):
    client.force_login(manager)
    assertContains(client.get("/nurture/"), ">Nurture</a>")
    client.force_login(coordinator)
    assert b">Nurture</a>" not in client.get("/alerts/").content


# --- A lead's nurture ---------------------------------------------------------------


@pytest.fixture
def manual_track(make_track):
    return make_track(
        name="Orthopedics follow-up", steps=[step(), step(StepAction.SMS, wait=2)],
        trigger="manual", stage=None,
    )  # fmt: skip


def test_coordinator_enrolls_a_lead_by_hand(client, coordinator, manual_track, make_lead):
    lead = make_lead()
    client.force_login(coordinator)

    response = client.post(f"/nurture/leads/{lead.pk}/enroll/", {"track": manual_track.pk})

    assert response.status_code == 302
    enrollment = NurtureEnrollment.objects.get(lead=lead)
    assert (enrollment.track, enrollment.entered_by) == (manual_track, coordinator)


def test_coordinator_stops_a_track_with_htmx(client, coordinator, manual_track, make_lead):
    lead = make_lead()
    enrollment = nurture_enroll(track=manual_track, lead=lead, actor=coordinator)
    client.force_login(coordinator)

    response = client.post(f"/nurture/enrollments/{enrollment.pk}/stop/", HTTP_HX_REQUEST="true")

    assertContains(response, "Left the track: stopped by staff")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason) == (
        EnrollmentStatus.EXITED,
        ExitReason.STOPPED_BY_STAFF,
    )


def test_lead_outside_my_teams_answers_404(client, manual_track, make_lead, coordinator):
    lead = make_lead()
    enrollment = nurture_enroll(track=manual_track, lead=lead, actor=coordinator)
    client.force_login(UserFactory(username="elsewhere", roles=[Role.INTAKE_COORDINATOR]))

    assert client.get(f"/nurture/leads/{lead.pk}/").status_code == 404
    assert (
        client.post(f"/nurture/leads/{lead.pk}/enroll/", {"track": manual_track.pk}).status_code
        == 404
    )
    assert client.post(f"/nurture/enrollments/{enrollment.pk}/stop/").status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_lead_page_runs_the_same_queries_for_one_enrollment_or_several(
    client, coordinator, make_track, make_lead, django_assert_num_queries
):
    lead = make_lead()
    client.force_login(coordinator)
    tracks = [
        make_track(name=f"Manual {n}", steps=[step(), step()], trigger="manual", stage=None)
        for n in range(3)
    ]
    nurture_enroll(track=tracks[0], lead=lead, actor=coordinator)
    client.get(f"/nurture/leads/{lead.pk}/")

    with django_assert_num_queries(10) as one:  # 9 and the access log entry
        client.get(f"/nurture/leads/{lead.pk}/")
    for track in tracks[1:]:
        nurture_enroll(track=track, lead=lead, actor=coordinator)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(f"/nurture/leads/{lead.pk}/")

    assert len(response.context["enrollments"]) == 3


def test_manager_opens_the_new_and_edit_track_pages(client, manager, make_track):
    track = make_track(steps=[step(), step(StepAction.SMS)])
    client.force_login(manager)

    assertContains(client.get("/nurture/tracks/new/"), 'name="steps-0-body"')
    edit = client.get(f"/nurture/tracks/{track.pk}/")

    assertContains(edit, 'name="steps-1-body"')
    assertContains(edit, 'name="steps-TOTAL_FORMS" value="2"')


def test_scheduling_link_is_required_when_a_step_uses_it(client, manager, settings):
    settings.NURTURE_SCHEDULING_URL = ""
    client.force_login(manager)

    response = client.post("/nurture/tracks/new/", track_post([EMAIL_STEP], scheduling_link=""))

    assert response.status_code == 400
    assert "scheduling_link" in response.context["form"].errors
    assert not NurtureTrack.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/nurture/nurturetrack/",
        "/admin/nurture/nurturetrack/add/",
        "/admin/nurture/nurtureenrollment/",
        "/admin/nurture/nurturesend/",
    ],
)
def test_admin_pages_open(client, url, make_track):
    make_track()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get(url).status_code == 200


def test_track_switched_on_in_the_admin_is_stamped(client, clock):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    data = {
        "name": "From the admin",
        "purpose": "care_coordination",
        "entry_trigger": "manual",
        "entry_min_unanswered_calls": "0",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "1",
        "steps-0-wait_amount": "0",
        "steps-0-wait_unit": "business_days",
        "steps-0-action": "sms",
        "steps-0-subject": "",
        "steps-0-body": "Hi {{ payer }}",
    }

    refused = client.post("/admin/nurture/nurturetrack/add/", data)
    data["steps-0-body"] = "Hi {{ first_name }}"
    saved = client.post("/admin/nurture/nurturetrack/add/", data)

    assert refused.status_code == 200  # the form again, with the step's error
    assert "cannot be used" in str(refused.context["inline_admin_formsets"][0].formset.errors)
    assert saved.status_code == 302
    track = NurtureTrack.objects.get()
    assert (track.is_active, track.activated_at) == (True, T0)
