"""CSV import of referring providers and practices (django-import-export).

Every import is previewed first (a dry run inside a transaction that is rolled back)
and reported row by row. The real import runs the same rows in one transaction: any
row error, and nothing is saved. NPI is the key that merges a provider with the record
already on file (or with an earlier line of the same file); practices, which have no
NPI, merge by name and postal code. Writes go through the referral source services, so
an import obeys the same rules as the staff API and the admin.
"""

from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, resources, widgets
from import_export.results import RowResult

from apps.accounts.models import User
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.services import referral_source_create, referral_source_update
from apps.referrals.selectors import (
    liaison_territory_names,
    referral_source_visible_to,
    user_sees_all_referral_sources,
)

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 2 * 1024 * 1024
REQUIRED_COLUMNS = ("kind", "name")
# A provider or practice CSV: the kinds with a clear identity to merge on.
IMPORTABLE_KINDS = (
    ReferralSourceKind.PROVIDER,
    ReferralSourceKind.PRACTICE,
    ReferralSourceKind.ORGANIZATION,
)


class TrimmedTextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip()


class NpiWidget(widgets.CharWidget):
    """Blank is "no NPI" (NULL, so the unique index ignores it); spaces are dropped."""

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs).replace(" ", "").strip()
        return text or None


class PracticeWidget(widgets.ForeignKeyWidget):
    """The practice (or organization) a provider belongs to, by name; it may be added
    on an earlier line of the same file."""

    def __init__(self):
        super().__init__(ReferralSource, field="name")

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        if not name:
            return None
        matches = list(
            ReferralSource.objects.filter(
                kind__in=[ReferralSourceKind.PRACTICE, ReferralSourceKind.ORGANIZATION],
                name__iexact=name,
            )[:2]
        )
        if not matches:
            raise ValueError(
                f"No practice named “{name}” is on file; add it first, or on an earlier line."
            )
        if len(matches) > 1:
            raise ValueError(f"Several practices are named “{name}”; fix the duplicate first.")
        return matches[0]


class LiaisonWidget(widgets.ForeignKeyWidget):
    """The owning liaison, by username."""

    def __init__(self):
        super().__init__(User, field="username")

    def clean(self, value, row=None, **kwargs):
        username = (value or "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValueError(f"No staff member has the username “{username}”.")
        return user


def _text(column: str) -> fields.Field:
    return fields.Field(attribute=column, column_name=column, widget=TrimmedTextWidget())


class ReferralSourceResource(resources.ModelResource):
    """One CSV row is one referral source. Columns: kind, name, npi, specialty,
    practice (by name), organization_name, address_line1, address_line2, city, state,
    postal_code, phone, email, territory, owning_liaison (username)."""

    kind = _text("kind")
    name = _text("name")
    npi = fields.Field(attribute="npi", column_name="npi", widget=NpiWidget())
    specialty = _text("specialty")
    practice = fields.Field(attribute="parent", column_name="practice", widget=PracticeWidget())
    organization_name = _text("organization_name")
    address_line1 = _text("address_line1")
    address_line2 = _text("address_line2")
    city = _text("city")
    state = _text("state")
    postal_code = _text("postal_code")
    phone = _text("phone")
    email = _text("email")
    territory = _text("territory")
    owning_liaison = fields.Field(
        attribute="owning_liaison", column_name="owning_liaison", widget=LiaisonWidget()
    )

    class Meta:
        model = ReferralSource
        fields = (
            "kind",
            "name",
            "npi",
            "specialty",
            "practice",
            "organization_name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "email",
            "territory",
            "owning_liaison",
        )
        # Instances are found by get_instance below (NPI, or practice name and postal
        # code); "id" keeps import-export from demanding a column for it.
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def __init__(self, *, actor: User, columns: list[str]):
        super().__init__()
        self.actor = actor
        self.sees_all = user_sees_all_referral_sources(user=actor)
        self.territories = set(liaison_territory_names(user=actor))
        self.columns = columns

    def get_instance(self, instance_loader, row):
        npi = NpiWidget().clean(row.get("npi"))
        if npi:
            return ReferralSource.objects.filter(npi=npi).first()
        kind = (row.get("kind") or "").strip()
        name = (row.get("name") or "").strip()
        if kind in (ReferralSourceKind.PRACTICE, ReferralSourceKind.ORGANIZATION) and name:
            return ReferralSource.objects.filter(
                kind=kind,
                name__iexact=name,
                postal_code=(row.get("postal_code") or "").strip(),
                npi__isnull=True,
            ).first()
        return None

    def after_init_instance(self, instance, new, row, **kwargs):
        # Whether the record on file was the importer's to change, before this row's
        # values (a new territory, perhaps) are put on it.
        instance._in_scope_before_import = (
            new or referral_source_visible_to(user=self.actor).filter(pk=instance.pk).exists()
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.kind not in IMPORTABLE_KINDS and "kind" not in errors:
            errors["kind"] = ValidationError(
                "Use provider, practice or organization for this import."
            )
        elif instance.kind == ReferralSourceKind.PROVIDER and not instance.npi:
            errors.setdefault("npi", ValidationError("A provider needs an NPI."))
        elif instance.kind != ReferralSourceKind.PROVIDER and instance.npi:
            errors.setdefault("npi", ValidationError("Only a provider has an NPI."))
        if not self.sees_all:
            if not instance._in_scope_before_import:
                errors.setdefault(
                    "npi",
                    ValidationError("This NPI belongs to a source outside your territory."),
                )
            elif instance.territory not in self.territories:
                errors.setdefault("territory", ValidationError("Use one of your own territories."))
        # Uniqueness is the merge's job (get_instance), checked again by the service.
        super().validate_instance(instance, errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        changes = {
            self.fields[column].attribute: getattr(instance, self.fields[column].attribute)
            for column in self.columns
            if column in self.fields
        }
        if is_create:
            kind, name = changes.pop("kind"), changes.pop("name")
            created = referral_source_create(actor=self.actor, kind=kind, name=name, **changes)
            instance.pk = created.pk
        else:
            referral_source_update(source=instance, actor=self.actor, **changes)


@dataclass(frozen=True)
class ImportRowReport:
    line: int  # the line in the file, the header being line 1
    action: str  # new, update, unchanged, invalid, error
    name: str
    npi: str
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportReport:
    rows: list[ImportRowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return dict(Counter(row.action for row in self.rows))

    @property
    def error_rows(self) -> list[ImportRowReport]:
        return [row for row in self.rows if row.errors]


_ACTIONS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "update",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_INVALID: "invalid",
    RowResult.IMPORT_TYPE_ERROR: "error",
}


def referral_sources_import(*, csv_text: str, actor: User, dry_run: bool) -> ImportReport:
    """Preview (`dry_run`) or import a CSV of providers and practices.

    Returns a report with each line's outcome and errors by column. Without dry_run,
    the rows are saved in one transaction, and only if no line has an error.
    """
    report = ImportReport()
    dataset = _dataset_parse(csv_text=csv_text, report=report)
    if dataset is None:
        return report
    resource = ReferralSourceResource(actor=actor, columns=list(dataset.headers))
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        report.file_errors += [str(error.error) for error in result.base_errors]
        # report_skipped: one result per data row, in file order (line 1 is the header);
        # fewer only when the whole file failed, and then file_errors says why.
        rows = zip(dataset.dict, result.rows, strict=False)
        for line, (row, row_result) in enumerate(rows, start=2):
            report.rows.append(_row_report(line=line, row=row, result=row_result))
        if dry_run or report.has_errors:
            transaction.set_rollback(True)
        else:
            report.saved = True
    return report


def _dataset_parse(*, csv_text: str, report: ImportReport) -> tablib.Dataset | None:
    if len(csv_text.encode()) > IMPORT_MAX_BYTES:
        report.file_errors.append("The file is larger than 2 MB; split it into smaller files.")
        return None
    try:
        dataset = tablib.Dataset().load(csv_text.lstrip("\ufeff"), format="csv")
    except Exception:  # tablib raises several kinds on malformed CSV
        report.file_errors.append("The file could not be read as CSV.")
        return None
    headers = [(header or "").strip().lower() for header in dataset.headers or []]
    dataset.headers = headers
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    unknown = [column for column in headers if column not in ReferralSourceResource.Meta.fields]
    if missing:
        report.file_errors.append("Missing column(s): " + ", ".join(missing) + ".")
    if unknown:
        report.file_errors.append(
            "Unknown column(s): "
            + ", ".join(unknown)
            + ". Accepted: "
            + ", ".join(ReferralSourceResource.Meta.fields)
            + "."
        )
    if not len(dataset):
        report.file_errors.append("The file has no rows under its header.")
    elif len(dataset) > IMPORT_MAX_ROWS:
        report.file_errors.append(f"The file has more than {IMPORT_MAX_ROWS} rows; split it.")
    return None if report.file_errors else dataset


def _row_report(*, line: int, row: dict, result: RowResult) -> ImportRowReport:
    errors: list[tuple[str, str]] = []
    if result.validation_error is not None:
        error = result.validation_error
        if hasattr(error, "error_dict"):
            for column, messages in error.message_dict.items():
                errors += [(_column_name(column), message) for message in messages]
        else:
            errors += [("", message) for message in error.messages]
    for row_error in result.errors:
        errors.append(("", _error_message(row_error.error)))
    return ImportRowReport(
        line=line,
        action=_ACTIONS.get(result.import_type, result.import_type),
        name=(row.get("name") or "").strip(),
        npi=(row.get("npi") or "").strip(),
        errors=errors,
    )


def _column_name(attribute: str) -> str:
    """Model attribute back to the CSV column the person typed it in."""
    return {"parent": "practice", "__all__": ""}.get(attribute, attribute)


def _error_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    # Anything else is unexpected: say so without leaking internals to the page.
    return f"This row could not be saved ({type(error).__name__})."
