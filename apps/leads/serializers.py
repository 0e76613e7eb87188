"""Shapes of leads and activities in the staff API.

Input serializers check types and choices only; the rules of a move (stage change,
assignment, first response) live in apps.leads.services. The list row and the timeline
build their dicts by hand: ModelSerializer's per-field machinery was about 65% of a
plain list's time on this machine (shared/PERFORMANCE.md). Their declared fields are
what the OpenAPI schema shows, and a test keeps the two in step.
"""

import datetime as dt
from collections.abc import Callable
from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api import EmailOrBlankField, SlugEnumRelatedField, TextField, iso_datetime_writer
from apps.facilities.models import Location
from apps.facilities.selectors import location_slugs
from apps.leads.choices import (
    ActivityKind,
    Channel,
    Direction,
    LeadType,
    LostReason,
    Outcome,
    Urgency,
)
from apps.leads.models import Activity, Lead
from apps.leads.selectors import LeadRowNames
from apps.people.models import ConsentChannel, ConsentMethod, ConsentPurpose, ConsentStatus
from apps.pipeline.models import PipelineStage, StageKind
from apps.pipeline.selectors import stage_list_cached
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.servicelines.models import ServiceLine
from apps.servicelines.selectors import service_line_slugs
from apps.teams.models import Team

# --- Small shapes shared by list rows and details ---------------------------------


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)


class ServiceLineBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TextField(read_only=True)


class LocationBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TextField(read_only=True)


class StageBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = TextField(read_only=True)
    kind = serializers.ChoiceField(choices=StageKind.choices, read_only=True)


class TeamBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TextField(read_only=True)


def _display_name(first_name: str | None, last_name: str | None, fallback: str = "") -> str:
    return f"{first_name or ''} {last_name or ''}".strip() or fallback


# --- Lead list --------------------------------------------------------------------


class LeadListSerializer(serializers.Serializer):
    """One row of the lead list."""

    # Built from a dict of selectors.LEAD_ROW_FIELDS and the page's `names`
    # (selectors.LeadRowNames) in the context. Kept out of the docstring: drf-spectacular
    # publishes docstrings as the schema's descriptions.

    id = serializers.IntegerField(read_only=True)
    person = PersonBriefSerializer(read_only=True)
    lead_type = serializers.ChoiceField(choices=LeadType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    service_line = ServiceLineBriefSerializer(read_only=True)
    location = LocationBriefSerializer(read_only=True, allow_null=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, read_only=True)
    stage = StageBriefSerializer(read_only=True)
    stage_entered_at = serializers.DateTimeField(read_only=True)
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    team = TeamBriefSerializer(read_only=True, allow_null=True)
    referral_source_id = serializers.IntegerField(read_only=True, allow_null=True)
    score = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    first_response_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sla_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @cached_property
    def _page(self) -> tuple[LeadRowNames, Callable[[dt.datetime | None], str | None]]:
        # A list serializer renders every row of a page with one child: look the names
        # (self.context walks up to the root serializer) and the time zone up once.
        return self.context["names"], iso_datetime_writer()

    def to_representation(self, row: dict) -> dict:
        names, iso = self._page
        service_line_slug, service_line_name = names.service_lines[row["service_line_id"]]
        location_id, owner_id, team_id = row["location_id"], row["owner_id"], row["team_id"]
        stage = names.stages[row["stage_id"]]
        if location_id is not None:
            location_slug, location_name = names.locations[location_id]
            location = {"slug": location_slug, "name": location_name}
        else:
            location = None
        return {
            "id": row["id"],
            "person": {
                "id": row["person_id"],
                "display_name": _display_name(row["person__first_name"], row["person__last_name"]),
            },
            "lead_type": row["lead_type"],
            "channel": row["channel"],
            "service_line": {"slug": service_line_slug, "name": service_line_name},
            "location": location,
            "urgency": row["urgency"],
            "stage": {"slug": stage.slug, "name": stage.name, "kind": stage.kind},
            "stage_entered_at": iso(row["stage_entered_at"]),
            "owner": (
                {"id": owner_id, "display_name": names.users[owner_id]}
                if owner_id is not None
                else None
            ),
            "team": (
                {"id": team_id, "name": names.teams[team_id]} if team_id is not None else None
            ),
            "referral_source_id": row["referral_source_id"],
            "score": row["score"],
            "created_at": iso(row["created_at"]),
            "first_response_at": iso(row["first_response_at"]),
            "sla_due_at": iso(row["sla_due_at"]),
            "closed_at": iso(row["closed_at"]),
        }


# --- A lead at referral level (liaisons) ------------------------------------------


class ReferralLeadSerializer(serializers.Serializer):
    """A lead as a liaison sees it: referral-level facts, nothing about who the patient
    is or what they wrote."""

    # Built from a dict of selectors.REFERRAL_LEAD_FIELDS and the page's `names`
    # (selectors.LeadRowNames) in the context.

    id = serializers.IntegerField(read_only=True)
    lead_type = serializers.ChoiceField(choices=LeadType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    service_line = ServiceLineBriefSerializer(read_only=True)
    stage = StageBriefSerializer(read_only=True)
    stage_entered_at = serializers.DateTimeField(read_only=True)
    referral_source_id = serializers.IntegerField(read_only=True, allow_null=True)
    referral_source_at_appointment_id = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    first_response_at = serializers.DateTimeField(read_only=True, allow_null=True)
    scheduled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    appointment_at = serializers.DateTimeField(read_only=True, allow_null=True)
    days_to_appointment = serializers.IntegerField(read_only=True, allow_null=True)
    converted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lost_reason = serializers.ChoiceField(
        choices=LostReason.choices, read_only=True, allow_blank=True
    )
    referral_feedback_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @cached_property
    def _page(self) -> tuple[LeadRowNames, Callable[[dt.datetime | None], str | None]]:
        return self.context["names"], iso_datetime_writer()

    def to_representation(self, row: dict) -> dict:
        names, iso = self._page
        slug, name = names.service_lines[row["service_line_id"]]
        stage = names.stages[row["stage_id"]]
        appointment_at = row["appointment_at"]
        return {
            "id": row["id"],
            "lead_type": row["lead_type"],
            "channel": row["channel"],
            "service_line": {"slug": slug, "name": name},
            "stage": {"slug": stage.slug, "name": stage.name, "kind": stage.kind},
            "stage_entered_at": iso(row["stage_entered_at"]),
            "referral_source_id": row["referral_source_id"],
            "referral_source_at_appointment_id": row["referral_source_at_appointment_id"],
            "created_at": iso(row["created_at"]),
            "first_response_at": iso(row["first_response_at"]),
            "scheduled_at": iso(row["scheduled_at"]),
            "appointment_at": iso(appointment_at),
            "days_to_appointment": (
                (appointment_at - row["created_at"]).days if appointment_at else None
            ),
            "converted_at": iso(row["converted_at"]),
            "closed_at": iso(row["closed_at"]),
            "lost_reason": row["lost_reason"],
            "referral_feedback_sent_at": iso(row["referral_feedback_sent_at"]),
        }


# --- Lead detail ------------------------------------------------------------------


class ConsentStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConsentStatus.choices, read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    method = serializers.ChoiceField(choices=ConsentMethod.choices, read_only=True)
    source = TextField(read_only=True)


class ConsentChannelsSerializer(serializers.Serializer):
    """The consent in force on each channel; null when the person was never asked."""

    email = ConsentStateSerializer(read_only=True, allow_null=True)
    sms = ConsentStateSerializer(read_only=True, allow_null=True)
    phone = ConsentStateSerializer(read_only=True, allow_null=True)


class ConsentInForceSerializer(serializers.Serializer):
    care_coordination = ConsentChannelsSerializer(read_only=True)
    marketing = ConsentChannelsSerializer(read_only=True)


def consent_in_force_representation(in_force: dict[str, dict]) -> dict:
    """{purpose: {channel: Consent}} from selectors.consents_in_force, every purpose and
    channel present (null when never asked)."""
    return ConsentInForceSerializer(
        {
            purpose: {channel: in_force.get(purpose, {}).get(channel) for channel in ConsentChannel}
            for purpose in ConsentPurpose
        }
    ).data


class PersonContactSerializer(serializers.Serializer):
    """A patient or caregiver with how to reach them and what they agreed to."""

    # Needs `consents` in the context: {person_id: {purpose: {channel: Consent}}}.

    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)
    first_name = TextField(read_only=True)
    last_name = TextField(read_only=True)
    phone = TextField(read_only=True)
    email = EmailOrBlankField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    preferred_language = TextField(read_only=True)
    postal_code = TextField(read_only=True)
    consent = serializers.SerializerMethodField()

    @extend_schema_field(ConsentInForceSerializer)
    def get_consent(self, person) -> dict:
        return consent_in_force_representation(self.context["consents"].get(person.pk, {}))

    def to_representation(self, person) -> dict:
        data = super().to_representation(person)
        data["phone"] = str(person.phone) if person.phone else ""
        return data


class AttributionSerializer(serializers.Serializer):
    """Where the lead came from: the first touch's campaign, and the latest touch."""

    utm_source = TextField(read_only=True)
    utm_medium = TextField(read_only=True)
    utm_campaign = TextField(read_only=True)
    utm_term = TextField(read_only=True)
    utm_content = TextField(read_only=True)
    landing_page = TextField(read_only=True)
    first_touch_channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    latest_touch_channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    touch_count = serializers.IntegerField(read_only=True)
    last_touch_at = serializers.DateTimeField(read_only=True)
    external_id = TextField(read_only=True)
    captured_via = TextField(read_only=True)


class LeadReferralSourceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = TextField(read_only=True)
    kind = serializers.ChoiceField(choices=ReferralSourceKind.choices, read_only=True)
    npi = TextField(read_only=True, allow_null=True)
    organization_name = TextField(read_only=True)


class LeadSafetySerializer(serializers.Serializer):
    """The lead's latest safety flag: a possible emergency found in an inquiry."""

    # Read through the reverse relation so this layer needs nothing from apps.safety.

    category = TextField(
        help_text="self_harm, cardiac, stroke, breathing, overdose, pregnancy, bleeding or "
        "violence."
    )
    matched_words = serializers.ListField(
        child=TextField(), help_text="The words of the inquiry that matched."
    )
    flagged_at = serializers.DateTimeField()


class LeadDetailSerializer(serializers.Serializer):
    """Everything about one lead: its people and their consent, attribution and clock."""

    # Needs `consents` in the context (see the view).

    id = serializers.IntegerField(read_only=True)
    person = PersonContactSerializer(read_only=True)
    caregiver = PersonContactSerializer(read_only=True, allow_null=True)
    lead_type = serializers.ChoiceField(choices=LeadType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    service_line = ServiceLineBriefSerializer(read_only=True)
    location = LocationBriefSerializer(read_only=True, allow_null=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, read_only=True)
    stage = StageBriefSerializer(read_only=True)
    stage_entered_at = serializers.DateTimeField(read_only=True)
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    team = TeamBriefSerializer(read_only=True, allow_null=True)
    referral_source = LeadReferralSourceSerializer(read_only=True, allow_null=True)
    payer = TextField(read_only=True)
    condition_interest = TextField(read_only=True)
    message = TextField(read_only=True)
    qualification_answers = serializers.DictField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    attribution = AttributionSerializer(source="*", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    routed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    first_response_at = serializers.DateTimeField(read_only=True, allow_null=True)
    time_to_first_response_seconds = serializers.SerializerMethodField()
    sla_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    scheduled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    appointment_at = serializers.DateTimeField(read_only=True, allow_null=True)
    appointment_location = LocationBriefSerializer(read_only=True, allow_null=True)
    converted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    recontact_on = serializers.DateField(read_only=True, allow_null=True)
    lost_reason = TextField(read_only=True)
    lost_reason_note = TextField(read_only=True)
    safety = serializers.SerializerMethodField(
        help_text="null, or the latest inquiry that read like an emergency."
    )

    @extend_schema_field(LeadSafetySerializer(allow_null=True))
    def get_safety(self, lead: Lead) -> dict | None:
        flag = lead.safety_flags.order_by("-flagged_at", "-id").first()
        return LeadSafetySerializer(flag).data if flag is not None else None

    def get_time_to_first_response_seconds(self, lead: Lead) -> int | None:
        elapsed = lead.time_to_first_response
        return int(elapsed.total_seconds()) if elapsed is not None else None


# --- Lead writes ------------------------------------------------------------------


class LeadUpdateSerializer(serializers.Serializer):
    """The descriptive fields staff may edit (PATCH). Stage and owner have their own
    endpoints; naming any other field is an error rather than silently ignored."""

    urgency = serializers.ChoiceField(choices=Urgency.choices)
    lead_type = serializers.ChoiceField(choices=LeadType.choices)
    service_line = SlugEnumRelatedField(
        slug_field="slug",
        queryset=ServiceLine.objects.filter(is_active=True),
        slugs=lambda: service_line_slugs(active_only=True),
    )
    location = SlugEnumRelatedField(
        slug_field="slug",
        queryset=Location.objects.filter(is_active=True),
        allow_null=True,
        slugs=lambda: location_slugs(active_only=True),
    )
    referral_source = serializers.PrimaryKeyRelatedField(
        queryset=ReferralSource.objects.all(), allow_null=True
    )
    payer = TextField(max_length=120, allow_blank=True)
    condition_interest = TextField(max_length=200, allow_blank=True)
    score = serializers.IntegerField(min_value=0, max_value=100)

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field cannot be edited here."] for name in unknown}
            )
        return attrs


class LeadStageChangeSerializer(serializers.Serializer):
    """A move to another stage, with what that stage asks for (a lost reason, an
    appointment, a recontact date)."""

    stage = SlugEnumRelatedField(
        slug_field="slug",
        queryset=PipelineStage.objects.all(),
        slugs=lambda: [stage.slug for stage in stage_list_cached()],
    )
    reason = TextField(max_length=2000, required=False, default="", allow_blank=True)
    lost_reason = serializers.ChoiceField(
        choices=LostReason.choices, required=False, default="", allow_blank=True
    )
    lost_reason_note = TextField(max_length=500, required=False, default="", allow_blank=True)
    appointment_at = serializers.DateTimeField(required=False, default=None, allow_null=True)
    appointment_location = SlugEnumRelatedField(
        slug_field="slug",
        queryset=Location.objects.filter(is_active=True),
        slugs=lambda: location_slugs(active_only=True),
        required=False,
        default=None,
        allow_null=True,
    )
    recontact_on = serializers.DateField(required=False, default=None, allow_null=True)
    qualification_answers = serializers.DictField(
        child=TextField(max_length=1000, allow_blank=True),
        required=False,
        default=dict,
        help_text="Answers keyed by qualification question id.",
    )


class LeadAssignSerializer(serializers.Serializer):
    """Who works the lead now. A field left out keeps its current value."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True), required=False, allow_null=True
    )
    reason = TextField(max_length=2000, required=False, default="", allow_blank=True)


# --- Activities -------------------------------------------------------------------

# What staff log by hand; inquiries, stage changes and assignments are written by
# their own services.
STAFF_ACTIVITY_KINDS = [
    (kind.value, kind.label)
    for kind in (
        ActivityKind.CALL,
        ActivityKind.EMAIL,
        ActivityKind.SMS,
        ActivityKind.NOTE,
        ActivityKind.TASK,
        ActivityKind.MEETING,
    )
]


class ActivitySerializer(serializers.Serializer):
    """One entry of a lead's timeline."""

    # Built from an Activity fetched by selectors.lead_timeline.

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True)
    outcome = TextField(read_only=True)
    author = UserBriefSerializer(read_only=True, allow_null=True)
    is_automated = serializers.BooleanField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    body = TextField(read_only=True)
    duration_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    from_stage = StageBriefSerializer(read_only=True, allow_null=True)
    to_stage = StageBriefSerializer(read_only=True, allow_null=True)
    assignee = UserBriefSerializer(read_only=True, allow_null=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    details = serializers.DictField(read_only=True)
    struck_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Set when the entry was struck through."
    )
    strike_reason = TextField(read_only=True)

    @cached_property
    def _iso_datetime(self):
        # One list serializer renders every entry of a page with this one child.
        return iso_datetime_writer()

    def to_representation(self, activity: Activity) -> dict:
        iso = self._iso_datetime
        return {
            "id": activity.pk,
            "kind": activity.kind,
            "direction": activity.direction,
            "outcome": activity.outcome,
            "author": _user_brief(activity.author),
            "is_automated": activity.is_automated,
            "occurred_at": iso(activity.occurred_at),
            "created_at": iso(activity.created_at),
            "body": activity.body,
            "duration_seconds": activity.duration_seconds,
            "from_stage": _stage_brief(activity.from_stage),
            "to_stage": _stage_brief(activity.to_stage),
            "assignee": _user_brief(activity.assignee),
            "due_at": iso(activity.due_at),
            "completed_at": iso(activity.completed_at),
            "details": activity.details,
            "struck_at": iso(activity.struck_at),
            "strike_reason": activity.strike_reason,
        }


def _user_brief(user: User | None) -> dict | None:
    return {"id": user.pk, "display_name": user.display_name} if user is not None else None


def _stage_brief(stage: PipelineStage | None) -> dict | None:
    if stage is None:
        return None
    return {"slug": stage.slug, "name": stage.name, "kind": stage.kind}


class ActivityCreateSerializer(serializers.Serializer):
    """A call, email, SMS, note, task or meeting logged by a member of staff. A call that
    reached the person, or an email or SMS sent to them, stops the response clock; a call
    with no answer, a busy line, a wrong number or a voicemail does not."""

    # The rule itself lives in apps.leads.first_response (activity_log applies it).

    kind = serializers.ChoiceField(choices=STAFF_ACTIVITY_KINDS)
    direction = serializers.ChoiceField(
        choices=Direction.choices, required=False, default=Direction.INTERNAL
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, default="", allow_blank=True
    )
    body = TextField(max_length=10000, required=False, default="", allow_blank=True)
    duration_seconds = serializers.IntegerField(
        min_value=0, max_value=24 * 3600, required=False, default=None, allow_null=True
    )
    occurred_at = serializers.DateTimeField(
        required=False, default=None, allow_null=True, help_text="Defaults to now."
    )
    due_at = serializers.DateTimeField(required=False, default=None, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        default=None,
        allow_null=True,
        help_text="For a task: who must do it.",
    )
