"""The change history in plain words: "Urgency Routine → Urgent, by Dana Cole (intake
coordinator), 14:02".

The triggers of django-pghistory store a snapshot of a row at each insert, update and
delete, with the context of who was acting (apps.audit.history). This module turns the
snapshots of some objects into entries of field changes: labels from the models' field
names, choice codes as their labels, related rows by name, times in the viewer's zone.
Callers (the lead page's History tab) choose and scope the objects; this reads nothing
patient-specific on its own, only the related rows the changes name.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.models import User

# Never shown as a change: keys, and stamps that move with every save.
HIDDEN_FIELDS = {"id", "updated_at", "created_at"}
TEXT_SHOWN = 200  # characters of a long text shown before "…"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    """One event: an object created, changed or deleted, by whom and when."""

    at: dt.datetime
    subject: str  # "Lead", "Person", "Consent: Email, care coordination", ...
    action: str  # "created", "changed", "deleted"
    changes: list[FieldChange] = field(default_factory=list)
    actor: str = ""
    how: str = ""  # "through the API", "in the admin site", "" for the app's pages
    order: int = 0
    before_history: bool = False  # no snapshot before it: what it changed is not on record


@dataclass(frozen=True)
class Tracked:
    """The events of one kind of object, and how to name each object in the history."""

    model: type[models.Model]  # the tracked model (Lead), whose fields name the changes
    events: list  # its event model's instances (Lead.pgh_event_model), any order
    subject: object  # callable(event) -> str, or a str
    shown_on_create: tuple[str, ...] = ()  # fields listed when the object is created


def change_entries(*, tracked: Iterable[Tracked], admin_path: str = "/admin/") -> list[ChangeEntry]:
    """Entries for these events, newest first. Each update is compared with the object's
    previous snapshot; an update with none before it (a row older than the history)
    shows only the new values. Queries: one per kind of related row the changes name,
    the people who made them among the users."""
    drafts = []  # (event, subject, action, [(field, old, new)], before_history)
    for group in tracked:
        by_object = defaultdict(list)
        for event in group.events:
            by_object[event.pgh_obj_id if hasattr(event, "pgh_obj_id") else None].append(event)
        for events in by_object.values():
            events.sort(key=lambda e: e.pgh_id)
            previous = None
            for event in events:
                drafts.append(_draft(event, previous, group))
                previous = event
    actor_ids = {(draft[0].pgh_context or {}).get("user") for draft in drafts}
    names = _related_names(drafts, user_ids={pk for pk in actor_ids if isinstance(pk, int)})
    entries = []
    for event, subject, action, diffs, before_history in drafts:
        if action == "changed" and not diffs and not before_history:
            continue  # only hidden stamps moved
        actor, how = _actor(event.pgh_context or {}, names=names, admin_path=admin_path)
        entries.append(
            ChangeEntry(
                at=event.pgh_created_at,
                subject=subject,
                action=action,
                changes=[
                    FieldChange(
                        label=_label(model_field),
                        old=_shown(model_field, old, names),
                        new=_shown(model_field, new, names),
                    )
                    for model_field, old, new in diffs
                ],
                actor=actor,
                how=how,
                order=event.pgh_id,
                before_history=before_history,
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.order), reverse=True)
    return entries


def _draft(event, previous, group: Tracked):
    subject = group.subject(event) if callable(group.subject) else group.subject
    fields = _snapshot_fields(event, group.model)
    label = event.pgh_label
    if label in ("insert", "role.add", "condition.add"):
        action = "created" if label == "insert" else "added"
        shown = [f for f in fields if f.name in group.shown_on_create]
        return event, subject, action, [(f, None, _value(event, f)) for f in shown], False
    if label in ("delete", "role.remove", "condition.remove"):
        return event, subject, "deleted" if label == "delete" else "removed", [], False
    diffs = []
    for model_field in fields:
        if model_field.name in HIDDEN_FIELDS:
            continue
        new = _value(event, model_field)
        if previous is None:
            diffs.append((model_field, _UNKNOWN, new))
        elif _value(previous, model_field) != new:
            diffs.append((model_field, _value(previous, model_field), new))
    if previous is None:
        # Without an earlier snapshot every field would look changed: keep none but say so.
        diffs = [(f, old, new) for f, old, new in diffs if f.name in group.shown_on_create]
    return event, subject, "changed", diffs, previous is None


_UNKNOWN = object()  # no snapshot before this one: the old value is not on record


def _snapshot_fields(event, tracked_model: type[models.Model]) -> list[models.Field]:
    """The tracked model's fields that the event model copies (pgh_* are its own)."""
    copied = {f.name for f in event._meta.concrete_fields}
    return [f for f in tracked_model._meta.concrete_fields if f.name in copied]


def _value(event, model_field: models.Field):
    return getattr(event, model_field.attname)


def _label(model_field: models.Field) -> str:
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def _related_names(drafts, *, user_ids: set[int]) -> dict[tuple, str]:
    """Names of the related rows the changes point at and of the users who made them,
    one query per kind of row."""
    wanted = defaultdict(set)
    wanted[User].update(user_ids)
    for _event, _subject, _action, diffs, _before in drafts:
        for model_field, old, new in diffs:
            if model_field.is_relation:
                wanted[model_field.related_model].update(
                    v for v in (old, new) if v is not None and v is not _UNKNOWN
                )
    names = {}
    for model, ids in wanted.items():
        if not ids:
            continue
        for pk, row in model._default_manager.in_bulk(ids).items():
            names[(model, pk)] = getattr(row, "display_name", None) or str(row)
    return names


def _shown(model_field: models.Field, value, names: dict) -> str:
    if value is _UNKNOWN:
        return "(not on record)"
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value} (deleted)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else "—"
    else:
        text = str(value)
    return text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1] + "…"


def _actor(context: dict, *, names: dict, admin_path: str) -> tuple[str, str]:
    """Who made a change, and how, from its history context."""
    user = names.get((User, context.get("user")))
    url = context.get("url") or ""
    how = ""
    if context.get("via") == "api":
        how = "through the API"
    elif url.startswith(admin_path):
        how = "in the admin site"
    if user is not None:
        roles = ", ".join(context.get("roles") or [])
        who = f"{user} ({roles})" if roles else user
        if context.get("task"):
            how = f"{how}, task {_task_name(context['task'])}".lstrip(", ")
        return who, how
    if context.get("intake_key"):
        return f"intake key “{context['intake_key']}”", ""
    if context.get("task"):
        return f"background task {_task_name(context['task'])}", ""
    if context.get("command"):
        return f"command {context['command']}", ""
    if url:
        return "a page used without signing in", ""
    return "outside the app (no record of who)", ""


def _task_name(name: str) -> str:
    """apps.routing.tasks.lead_route → lead_route."""
    return name.rsplit(".", 1)[-1]
