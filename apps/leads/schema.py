"""What a stage move and a logged activity ask for, stated in the published schema
(drf-spectacular postprocessing hooks).

apps.leads.services is the rule; these say the part of it that depends only on the
request, so a client generated from the schema sends a lost reason with a lost stage,
an appointment with Scheduled, a date with a nurture stage and a due time with a task.
What depends on the lead (where it is, its service line's questions) answers 409.
"""

from apps.leads.choices import ActivityKind, LostReason
from apps.leads.serializers import STAFF_ACTIVITY_KINDS
from apps.pipeline.choices import DefaultStage
from apps.pipeline.models import StageKind
from apps.pipeline.selectors import stage_list_cached


def _branch(slugs: list[str], needs: dict) -> dict:
    return {
        "properties": {"stage": {"enum": slugs}, **needs},
        "required": ["stage", *needs],
    }


def stage_requirements_document(result, generator, request, public):
    """Postprocessing hook: LeadStageChangeRequest as one branch per kind of stage."""
    move = result.get("components", {}).get("schemas", {}).get("LeadStageChangeRequest")
    stages = [stage for stage in stage_list_cached() if stage.is_active]
    if move is None or not stages:
        return result
    lost = [s.slug for s in stages if s.kind == StageKind.LOST]
    nurture = [s.slug for s in stages if s.kind == StageKind.NURTURE]
    scheduled = [s.slug for s in stages if s.slug == DefaultStage.SCHEDULED]
    other = [s.slug for s in stages if s.slug not in {*lost, *nurture, *scheduled}]
    branches = [
        _branch(other, {}),
        _branch(lost, {"lost_reason": {"type": "string", "enum": list(LostReason.values)}}),
        _branch(scheduled, {"appointment_at": {"type": "string", "format": "date-time"}}),
        _branch(
            nurture,
            {
                "recontact_on": {
                    "type": "string",
                    "format": "date",
                    "description": "A day after today.",
                }
            },
        ),
    ]
    move["anyOf"] = [branch for branch in branches if branch["properties"]["stage"]["enum"]]
    return result


def activity_requirements_document(result, generator, request, public):
    """Postprocessing hook: a task needs a due time (apps.leads.services.activity_log)."""
    activity = result.get("components", {}).get("schemas", {}).get("ActivityCreateRequest")
    if activity is None:
        return result
    kinds = [value for value, _ in STAFF_ACTIVITY_KINDS]
    activity["anyOf"] = [
        {"properties": {"kind": {"enum": [k for k in kinds if k != ActivityKind.TASK]}}},
        {
            "properties": {
                "kind": {"enum": [ActivityKind.TASK.value]},
                "due_at": {"type": "string", "format": "date-time"},
            },
            "required": ["kind", "due_at"],
        },
    ]
    return result


def lead_edit_fields_document(result, generator, request, public):
    """Postprocessing hook: a lead edit names only the fields it may change
    (LeadUpdateSerializer refuses any other by name)."""
    edit = result.get("components", {}).get("schemas", {}).get("PatchedLeadUpdateRequest")
    if edit is not None:
        edit["additionalProperties"] = False
    return result
