"""CSV import of providers and practices: preview, row errors, all-or-nothing, NPI merge."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.referral_sources.models import ReferralSource
from apps.referral_sources.validators import npi_check_digit
from apps.referrals.imports import referral_sources_import
from apps.referrals.services import liaison_territories_set
from tests.factories import ReferralSourceFactory

pytestmark = pytest.mark.django_db


def npi(first_nine: str) -> str:
    return first_nine + npi_check_digit(first_nine)


NPI_A, NPI_B, NPI_C = npi("100000001"), npi("100000002"), npi("100000003")
BAD_NPI = NPI_A[:9] + str((int(NPI_A[9]) + 1) % 10)
HEADER = "kind,name,npi,specialty,practice,city,postal_code,territory,owning_liaison"


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = csv(
    "practice,Lakeside Family Medicine,,,,Evanston,60201,North Shore,",
    f"provider,Dr. Ada Byrne,{NPI_A},Family Medicine,Lakeside Family Medicine,Evanston,60201,"
    "North Shore,liaison-north",
    f"provider,Dr. Ben Osei,{NPI_B},Orthopedic Surgery,,Skokie,60076,North Shore,",
)


def test_preview_reports_each_row_and_saves_nothing(manager, liaison):
    report = referral_sources_import(csv_text=GOOD, actor=manager, dry_run=True)

    assert not report.has_errors
    assert [(row.line, row.action, row.name) for row in report.rows] == [
        (2, "new", "Lakeside Family Medicine"),
        (3, "new", "Dr. Ada Byrne"),
        (4, "new", "Dr. Ben Osei"),
    ]
    assert not report.saved
    assert not ReferralSource.objects.exists()


def test_import_saves_every_row_and_links_the_practice_and_liaison(manager, liaison):
    report = referral_sources_import(csv_text=GOOD, actor=manager, dry_run=False)

    assert report.saved and report.totals == {"new": 3}
    byrne = ReferralSource.objects.get(npi=NPI_A)
    assert (byrne.parent.name, byrne.owning_liaison, byrne.specialty) == (
        "Lakeside Family Medicine",
        liaison,
        "Family Medicine",
    )


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (f"provider,Dr. Bad Digit,{BAD_NPI},,,,,North Shore,", "npi", "check digit"),
        ("provider,Dr. No Number,,,,,,North Shore,", "npi", "needs an NPI"),
        (f"practice,Has An NPI,{NPI_C},,,,,North Shore,", "npi", "Only a provider"),
        (f"surgeon,Dr. Odd Kind,{NPI_C},,,,,North Shore,", "kind", ""),
        (f"provider,,{NPI_C},,,,,North Shore,", "name", "blank"),
        (f"provider,Dr. Lone,{NPI_C},,No Such Practice,,,North Shore,", "practice", "No practice"),
        (f"provider,Dr. Owned,{NPI_C},,,,,North Shore,nobody", "owning_liaison", "No staff"),
    ],
)
def test_row_errors_are_reported_by_line_and_column_and_nothing_is_saved(
    manager, liaison, row, column, message
):
    text = GOOD + row + "\n"

    report = referral_sources_import(csv_text=text, actor=manager, dry_run=False)

    assert report.has_errors and not report.saved
    (bad,) = report.error_rows
    assert bad.line == 5
    assert column in [error_column for error_column, _ in bad.errors]
    assert message in " ".join(text for _, text in bad.errors)
    assert not ReferralSource.objects.exists()  # the three good rows were not saved either


def test_npi_merges_with_the_provider_already_on_file(manager):
    existing = ReferralSourceFactory(name="Ada Byrne", npi=NPI_A, specialty="", territory="")
    text = csv(f"provider,Dr. Ada Byrne,{NPI_A},Family Medicine,,Evanston,60201,North Shore,")

    report = referral_sources_import(csv_text=text, actor=manager, dry_run=False)

    assert [row.action for row in report.rows] == ["update"]
    existing.refresh_from_db()
    assert (existing.name, existing.specialty, existing.territory) == (
        "Dr. Ada Byrne",
        "Family Medicine",
        "North Shore",
    )
    assert ReferralSource.objects.count() == 1


def test_the_same_npi_twice_in_a_file_makes_one_record(manager):
    text = csv(
        f"provider,Dr. Ada Byrne,{NPI_A},,,,,North Shore,",
        f"provider,Dr. Ada Byrne-Lee,{NPI_A},Family Medicine,,,,North Shore,",
    )
    report = referral_sources_import(csv_text=text, actor=manager, dry_run=False)
    assert [row.action for row in report.rows] == ["new", "update"]
    assert ReferralSource.objects.get().name == "Dr. Ada Byrne-Lee"


def test_an_unchanged_row_is_reported_as_unchanged(manager, liaison):
    referral_sources_import(csv_text=GOOD, actor=manager, dry_run=False)
    report = referral_sources_import(csv_text=GOOD, actor=manager, dry_run=True)
    assert report.totals == {"unchanged": 3}


def test_practices_merge_by_name_and_postal_code(manager):
    ReferralSourceFactory(
        kind="practice", npi=None, name="Lakeside Family Medicine", postal_code="60201"
    )
    text = csv("practice,lakeside family medicine,,,,Evanston,60201,North Shore,")
    report = referral_sources_import(csv_text=text, actor=manager, dry_run=False)
    assert [row.action for row in report.rows] == ["update"]
    assert ReferralSource.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,npi\nDr. X,\n", "Missing column(s): kind."),
        (HEADER + ",favourite_color\n", "Unknown column(s): favourite_color."),
        (HEADER + "\n", "The file has no rows under its header."),
    ],
)
def test_file_level_problems_are_named(manager, text, message):
    report = referral_sources_import(csv_text=text, actor=manager, dry_run=True)
    assert report.has_errors
    assert any(message in error for error in report.file_errors)


def test_a_liaison_imports_only_into_their_territory(liaison):
    liaison_territories_set(liaison=liaison, territories=["North Shore"])
    ReferralSourceFactory(npi=NPI_C, territory="South Side")
    text = csv(
        f"provider,Dr. North,{NPI_A},,,,,North Shore,",
        f"provider,Dr. South,{NPI_B},,,,,South Side,",
        f"provider,Dr. Someone Elses,{NPI_C},,,,,North Shore,",
    )

    report = referral_sources_import(csv_text=text, actor=liaison, dry_run=False)

    assert [(row.line, row.errors) for row in report.error_rows] == [
        (3, [("territory", "Use one of your own territories.")]),
        (4, [("npi", "This NPI belongs to a source outside your territory.")]),
    ]
    assert not ReferralSource.objects.filter(npi__in=[NPI_A, NPI_B]).exists()


def test_import_page_previews_then_imports_on_confirm(client, manager, liaison):
    client.force_login(manager)
    upload = SimpleUploadedFile("sources.csv", GOOD.encode(), content_type="text/csv")

    preview = client.post(reverse("referrals:import"), {"file": upload})

    assert preview.status_code == 200
    assert preview.context["report"].totals == {"new": 3}
    assert not ReferralSource.objects.exists()
    assert b"Import 3 rows" in preview.content

    confirmed = client.post(reverse("referrals:import"), {"confirm": "1", "csv_text": GOOD})

    assert confirmed.status_code == 302
    assert ReferralSource.objects.count() == 3


def test_a_confirm_sent_twice_imports_once(client, manager, liaison):
    client.force_login(manager)
    upload = SimpleUploadedFile("sources.csv", GOOD.encode(), content_type="text/csv")
    preview = client.post(reverse("referrals:import"), {"file": upload}).content.decode()
    (token,) = re.findall(r'name="form_token" value="([^"]+)"', preview)
    confirm = {"confirm": "1", "csv_text": GOOD, "form_token": token}
    assert client.post(reverse("referrals:import"), confirm).status_code == 302
    # Renamed in the meantime: a second import of the file would name it back.
    ReferralSource.objects.filter(npi=NPI_A).update(name="Renamed since")

    again = client.post(reverse("referrals:import"), confirm)

    assert again.status_code == 302
    assert ReferralSource.objects.count() == 3
    assert ReferralSource.objects.get(npi=NPI_A).name == "Renamed since"


def test_import_page_shows_row_errors_and_offers_no_confirm(client, manager):
    client.force_login(manager)
    text = GOOD + f"provider,Dr. Bad Digit,{BAD_NPI},,,,,North Shore,\n"
    upload = SimpleUploadedFile("sources.csv", text.encode(), content_type="text/csv")

    response = client.post(reverse("referrals:import"), {"file": upload})

    content = response.content.decode()
    assert "Fix these errors" in content
    assert "check digit" in content
    assert "Import 4 rows" not in content
