"""The admin's view of patient data: read-only, and every page of it in the access log.

Patient records change only through the apps' services, which keep the rules (stage
moves, the response clock, consent) and the change history; the admin shows them.
"""

from collections.abc import Iterable

from apps.audit.services import access_record


class PatientDataAdmin:
    """Mixin for a ModelAdmin or inline of a model holding patient data: view permission
    only (no add, change or delete, whatever the user's permissions), and each change
    page and list page records the leads and people it showed.

    `access_lead_fields` and `access_person_fields` name the row's attributes holding
    lead and person ids ("pk" for the model's own).
    """

    access_lead_fields: tuple[str, ...] = ()
    access_person_fields: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_object(self, request, object_id, from_field=None):
        # Every page of one row (view, history) loads it here.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._access_record(request, [obj], what=f"admin: {self.opts.verbose_name}")
        return obj

    def get_changelist(self, request, **kwargs):
        # Django documents subclassing the ChangeList to change the listing: this one
        # records the rows of the page it is about to show (one page, or "Show all").
        admin = self

        class RecordingChangeList(super().get_changelist(request, **kwargs)):
            def get_results(self, request):
                super().get_results(request)
                admin._access_record(
                    request, self.result_list, what=f"admin: {admin.opts.verbose_name_plural}"
                )

        return RecordingChangeList

    def _access_record(self, request, rows: Iterable, *, what: str) -> None:
        rows = list(rows)
        access_record(
            user=request.user,
            what=what[:60],
            lead_ids=[getattr(row, name) for row in rows for name in self.access_lead_fields],
            person_ids=[getattr(row, name) for row in rows for name in self.access_person_fields],
        )
