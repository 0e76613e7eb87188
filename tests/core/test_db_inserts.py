"""The lean INSERT helpers of the intake path store what Model.save() would store, and
linked rows of several tables in one all-or-nothing statement."""

import datetime as dt
import warnings

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.db import insert_rows, insert_together
from apps.leads.models import Activity, Lead
from apps.people.models import Consent, Person
from apps.pipeline.selectors import stage_get_by_slug
from tests.factories import PersonFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


def _stored(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_insert_rows_stores_the_same_row_as_save():
    recorded_at = timezone.now() - dt.timedelta(days=2)
    patient = PersonFactory()
    fields = {
        "first_name": "Ana",
        "last_name": "Garcia",
        "phone": "(312) 555-0142",  # a PhoneNumberField prepares its own value
        "email": "ana@example.net",
        "date_of_birth": dt.date(1970, 1, 2),
        "postal_code": "60614",
        "patient_id": patient.pk,
        "created_at": recorded_at,
    }
    saved, inserted = Person(**fields), Person(**fields)
    saved.save()
    insert_rows([inserted])

    expected, got = _stored(Person, saved.pk), _stored(Person, inserted.pk)
    for row in (expected, got):
        row.pop("id"), row.pop("updated_at")
    assert got == expected
    assert str(got["phone"]) == "+13125550142"


def test_insert_rows_sets_keys_and_takes_several_rows_at_once():
    person = PersonFactory()
    consents = [
        Consent(
            person=person,
            channel=channel,
            purpose="care_coordination",
            status="granted",
            method="web_form",
            wording="You may contact me about my inquiry.",
        )
        for channel in ("email", "sms", "phone")
    ]
    insert_rows(consents)

    assert all(consent.pk for consent in consents)
    assert sorted(person.consents.values_list("channel", flat=True)) == ["email", "phone", "sms"]


def test_a_naive_datetime_is_prepared_as_save_would_prepare_it():
    """Django warns about a naive datetime and reads it in the current time zone: the
    fast path for datetimes only takes aware ones as they are."""
    naive = dt.datetime(2026, 3, 1, 9, 30)
    person = Person(first_name="Ana", phone="+13125550143", created_at=naive)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        insert_rows([person])

    assert any("naive datetime" in str(w.message) for w in caught)
    assert _stored(Person, person.pk)["created_at"] == timezone.make_aware(naive)


def _new_rows() -> tuple:
    person = Person(first_name="Ana", last_name="Lopez", phone="+13125550144")
    lead = Lead(
        person=person,
        lead_type="patient",
        channel="web_form",
        service_line=ServiceLineFactory(),
        stage_id=stage_get_by_slug("new").pk,
        message="Knee pain",
    )
    inquiry = Activity(lead=lead, kind="inquiry", direction="inbound", channel="web_form")
    consents = [
        Consent(person=person, channel=channel, purpose="care_coordination", status="granted",
                method="web_form", wording="You may contact me.")
        for channel in ("email", "phone")
    ]  # fmt: skip
    return person, lead, inquiry, consents


def test_insert_together_links_each_row_to_the_one_it_points_at(django_assert_num_queries):
    person, lead, inquiry, consents = _new_rows()

    with django_assert_num_queries(1):
        insert_together(
            ([person], {}),
            ([lead], {"person": person}),
            ([inquiry], {"lead": lead}),
            (consents, {"person": person}),
        )
        assert lead.person is person and inquiry.lead is lead  # still cached: no query

    stored = Lead.objects.select_related("person").get(pk=lead.pk)
    assert stored.person.last_name == "Lopez" and stored.person_id == person.pk
    assert list(stored.activities.values_list("pk", flat=True)) == [inquiry.pk]
    assert sorted(Consent.objects.filter(person=person).values_list("pk", flat=True)) == sorted(
        consent.pk for consent in consents
    )


def test_insert_together_saves_nothing_when_one_row_is_refused():
    person, lead, inquiry, consents = _new_rows()
    lead.service_line_id = None  # the column is NOT NULL: PostgreSQL refuses the lead

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(
            ([person], {}),
            ([lead], {"person": person}),
            ([inquiry], {"lead": lead}),
            (consents, {"person": person}),
        )

    assert not Person.objects.filter(phone="+13125550144").exists()
    assert not Consent.objects.filter(wording="You may contact me.").exists()
