"""The rollup the dashboards read: built from the leads and their stage changes, kept
fresh by a beat task that is safe to run twice or side by side."""

import psycopg2
import pytest
from django.db import connection

from apps.dashboards import services, tasks
from apps.dashboards.models import FactsRefresh, LeadFact
from apps.pipeline.selectors import stage_get_by_slug
from tests.dashboards.conftest import NOW, at, make_lead
from tests.factories import ActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db


def fact(lead) -> LeadFact:
    return LeadFact.objects.get(lead=lead)


def test_first_refresh_builds_a_row_per_lead(frozen_now):
    leads = LeadFactory.create_batch(3)

    written = services.lead_facts_refresh()

    assert written == 3
    assert set(LeadFact.objects.values_list("lead_id", flat=True)) == {lead.pk for lead in leads}
    state = FactsRefresh.objects.get()
    assert state.refreshed_at == state.rebuilt_at == NOW


def test_furthest_stage_is_replayed_from_stage_changes_even_when_lost_now(frozen_now):
    lead = make_lead(
        created_at=at("03-03"),
        journey=[
            ("contacted", at("03-04")),
            ("qualified", at("03-05")),
            ("scheduled", at("03-06")),
            ("disqualified", at("03-07")),
        ],
        lost_reason="out_of_network",
    )

    services.lead_facts_refresh()

    row = fact(lead)
    assert row.furthest_position == stage_get_by_slug("scheduled").position
    assert (row.stage_kind, row.lost_reason) == ("lost", "out_of_network")


def test_a_lead_that_never_moved_has_reached_the_first_stage(frozen_now):
    lead = make_lead(created_at=at("03-03"), journey=[("not-ready", at("03-04"))])

    services.lead_facts_refresh()

    assert fact(lead).furthest_position == stage_get_by_slug("new").position


def test_day_is_taken_in_the_reporting_time_zone(frozen_now):
    late_evening = make_lead(created_at=at("03-17", "03:30"))  # 23:30 on the 16th in New York

    services.lead_facts_refresh()

    assert str(fact(late_evening).created_on) == "2025-03-16"


def test_refresh_follows_new_stage_changes(frozen_now):
    lead = make_lead(created_at=at("03-03"))
    services.lead_facts_refresh()
    ActivityFactory(
        lead=lead,
        kind="stage_change",
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("qualified"),
        occurred_at=at("03-04"),
    )

    services.lead_facts_refresh()

    assert fact(lead).furthest_position == stage_get_by_slug("qualified").position


def test_refresh_picks_up_new_leads(frozen_now):
    services.lead_facts_refresh()
    lead = LeadFactory()

    services.lead_facts_refresh()

    assert LeadFact.objects.filter(lead=lead).exists()


def test_second_refresh_with_nothing_new_writes_nothing(frozen_now):
    LeadFactory.create_batch(2)
    services.lead_facts_refresh()

    assert services.lead_facts_refresh() == 0
    assert LeadFact.objects.count() == 2


def test_activity_that_commits_after_a_later_one_is_still_picked_up(frozen_now):
    slow, quick = make_lead(created_at=at("03-03")), make_lead(created_at=at("03-03"))
    services.lead_facts_refresh()
    # A slow transaction takes an activity id, a quicker one takes the next id and
    # commits first, and a refresh runs between the two commits.
    reserved = ActivityFactory(lead=slow)
    reserved_id = reserved.pk
    reserved.delete()
    ActivityFactory(lead=quick)
    services.lead_facts_refresh()
    ActivityFactory(
        id=reserved_id,
        lead=slow,
        kind="stage_change",
        from_stage=stage_get_by_slug("new"),
        to_stage=stage_get_by_slug("contacted"),
        occurred_at=at("03-04"),
    )

    services.lead_facts_refresh()

    assert fact(slow).furthest_position == stage_get_by_slug("contacted").position


def test_merged_duplicates_and_deleted_leads_leave_the_rollup(frozen_now):
    survivor, duplicate, gone = LeadFactory.create_batch(3)
    services.lead_facts_refresh()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])
    gone.activities.all().delete()
    gone.delete()

    services.lead_facts_rebuild()

    assert set(LeadFact.objects.values_list("lead_id", flat=True)) == {survivor.pk}


def test_nightly_rebuild_catches_edits_that_left_no_activity(frozen_now):
    lead = LeadFactory(channel="phone")
    services.lead_facts_refresh()
    LeadFactory._meta.model.objects.filter(pk=lead.pk).update(channel="chat")

    services.lead_facts_refresh()
    assert fact(lead).channel == "phone"  # nothing told the minute refresh
    services.lead_facts_rebuild()
    assert fact(lead).channel == "chat"


def test_refresh_after_the_leads_were_reloaded_rebuilds(frozen_now):
    LeadFactory()
    services.lead_facts_refresh()
    FactsRefresh.objects.update(lead_watermark=10**9, activity_watermark=10**9)
    LeadFactory()

    services.lead_facts_refresh()

    assert LeadFact.objects.count() == 2


def test_a_refresh_already_running_makes_the_second_one_skip(frozen_now):
    LeadFactory()
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [services._LOCK_KEY])
        assert services.lead_facts_refresh() is None
        assert services.lead_facts_rebuild() is None
        assert not LeadFact.objects.exists()
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [services._LOCK_KEY])
        other.close()
    assert services.lead_facts_refresh() == 1


def test_beat_tasks_take_no_arguments_and_refresh(frozen_now):
    LeadFactory()

    assert tasks.dashboard_facts_refresh() == 1
    assert tasks.dashboard_facts_rebuild() == 0
