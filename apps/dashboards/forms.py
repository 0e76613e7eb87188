"""The dashboards' filters and the drill-down conditions, parsed from the query string.

Only dates, slugs, codes and ids travel in URLs, so a dashboard link can be shared
without carrying anything about a person.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.models import User
from apps.core.readable import choice_label
from apps.dashboards import conditions as c
from apps.dashboards.filters import DEFAULT_PERIOD, PERIODS, DashboardFilters, period_dates
from apps.dashboards.selectors import DrillCondition
from apps.facilities.models import Location
from apps.leads.choices import Channel, LeadType, LostReason
from apps.pipeline.models import PipelineStage, StageKind
from apps.referral_sources.models import ReferralSource
from apps.servicelines.models import ServiceLine
from apps.teams.models import Team

CUSTOM = "custom"
DEFAULT_DAYS = 90  # a custom range given only its end
MAX_DAYS = 731  # two years: the rollup answers any range, but a page should stay readable


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(choices=[*PERIODS, (CUSTOM, "Custom range")], required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All service lines",
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All locations",
    )
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    lead_type = forms.ChoiceField(
        choices=[("", "All lead types"), *LeadType.choices], required=False
    )
    referral_source = forms.ModelChoiceField(
        queryset=ReferralSource.objects.order_by("name"),
        required=False,
        empty_label="All referral sources",
    )

    def __init__(self, data=None, *, today: dt.date | None = None, **kwargs):
        # Always bound, with the period's dates filled in, so the page shows the dates it
        # counts. A preset wins over the dates beside it (a shared "last 30 days" link
        # means the last 30 days on the day it is opened); dates without a preset are a
        # custom range; nothing at all is the default preset.
        self.today = today or timezone.localdate()
        data = data.copy() if data is not None else {}
        period = data.get("period") or ""
        if not (period or data.get("start") or data.get("end")):
            period = data["period"] = DEFAULT_PERIOD
        if period in dict(PERIODS):
            start, end = period_dates(period, today=self.today)
            data["start"], data["end"] = start.isoformat(), end.isoformat()
        elif not period:
            data["period"] = CUSTOM
        if not data.get("end"):
            data["end"] = self.today.isoformat()
        if not data.get("start"):
            try:
                end = dt.date.fromisoformat(data["end"])
            except ValueError:
                end = self.today
            data["start"] = (end - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("start", f"Choose a period of at most {MAX_DAYS} days.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> DashboardFilters:
        """The valid filters; call after is_valid()."""
        data = self.cleaned_data
        line, location, source = data["service_line"], data["location"], data["referral_source"]
        return DashboardFilters(
            start=data["start"],
            end=data["end"],
            service_line_id=line.pk if line else None,
            service_line_slug=line.slug if line else "",
            location_id=location.pk if location else None,
            location_slug=location.slug if location else "",
            channel=data["channel"],
            lead_type=data["lead_type"],
            referral_source_id=source.pk if source else None,
            period="" if data["period"] == CUSTOM else data["period"],
        )

    def summary(self) -> str:
        """The period and filters in a few words, for the folded filters on a phone:
        "Last 30 days · Orthopedics"; "" while the filters are not valid."""
        if not self.is_valid():
            return ""
        data = self.cleaned_data
        period = dict(PERIODS).get(data["period"]) or (
            f"{date_format(data['start'], 'SHORT_DATE_FORMAT')} to "
            f"{date_format(data['end'], 'SHORT_DATE_FORMAT')}"
        )
        return " · ".join([period, *self.description()])

    def description(self) -> list[str]:
        """The chosen filters in words, for the drill-down list's heading (labels, not
        codes: "Phone call", never "phone"); call after is_valid()."""
        data = self.cleaned_data
        words = [data[name].name for name in ("service_line", "location") if data.get(name)]
        words += [
            choice_label(choices, data[name])
            for name, choices in (("channel", Channel), ("lead_type", LeadType))
            if data.get(name)
        ]
        if data.get("referral_source"):
            words.append(data["referral_source"].name)
        return words


PANEL_CHOICES = [
    ("funnel", "Funnel"),
    ("trends", "Trends"),
    ("response", "Response time"),
    ("channels", "Channel quality"),
    ("drop-off", "Drop-off"),
    ("referrals", "Referral sources"),
]
NONE = "none"  # "no team", "no owner", "no lost reason"
NO_CAMPAIGN = "-"


class DrillDownForm(forms.Form):
    """The condition of one number, on top of the filters: which stage it counts, which
    week, team, owner, response or time-in-stage bucket, and so on."""

    panel = forms.ChoiceField(choices=PANEL_CHOICES, required=False)
    reached = forms.SlugField(required=False)
    stage = forms.SlugField(required=False)
    week = forms.DateField(required=False)
    campaign = forms.CharField(required=False, max_length=200)
    team = forms.RegexField(regex=r"^(\d{1,18}|none)$", required=False)
    owner = forms.RegexField(regex=r"^(\d{1,18}|none)$", required=False)
    response = forms.ChoiceField(choices=[(k, k) for k in c.RESPONSES], required=False)
    state = forms.ChoiceField(choices=[(k, k) for k in c.STATES], required=False)
    stalled = forms.ChoiceField(choices=[(k, k) for k in c.STALLS], required=False)
    lost_reason = forms.ChoiceField(
        choices=[(NONE, "No reason given"), *LostReason.choices], required=False
    )
    referred = forms.BooleanField(required=False)
    feedback = forms.ChoiceField(choices=[(k, k) for k in c.FEEDBACK], required=False)
    appointment = forms.BooleanField(required=False)
    cursor = forms.RegexField(regex=r"^-?\d{1,20}-\d{1,18}$", required=False)

    def clean(self):
        cleaned = super().clean()
        wanted = {cleaned.get("reached"), cleaned.get("stage")} - {None, ""}
        if wanted:
            # One small query for both stage fields: their names describe the list.
            self.stages = {
                slug: (name, kind)
                for slug, name, kind in PipelineStage.objects.filter(slug__in=wanted).values_list(
                    "slug", "name", "kind"
                )
            }
            reached = cleaned.get("reached")
            if reached and self.stages.get(reached, (None, None))[1] not in (
                StageKind.OPEN,
                StageKind.WON,
            ):
                self.add_error("reached", "Choose a stage of the funnel.")
            if cleaned.get("stage") and cleaned["stage"] not in self.stages:
                self.add_error("stage", "Choose a pipeline stage.")
        return cleaned

    def cursor_position(self) -> tuple[dt.datetime, int] | None:
        raw = self.cleaned_data.get("cursor")
        if not raw:
            return None
        micros, lead_id = raw.rsplit("-", 1)
        moment = dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)
        return moment, int(lead_id)

    def condition(self) -> DrillCondition:
        """The SQL condition and its description; call after is_valid()."""
        data = self.cleaned_data
        parts, params, words = [], {}, []
        if data.get("reached"):
            parts.append(c.reached_slug("reached"))
            params["reached"] = data["reached"]
            words.append(f"reached {self.stages[data['reached']][0]}")
        if data.get("stage"):
            parts.append(c.AT_STAGE)
            params["stage"] = data["stage"]
            words.append(f"now at {self.stages[data['stage']][0]}")
        if data.get("week"):
            monday = data["week"] - dt.timedelta(days=data["week"].weekday())
            parts.append("f.created_on >= %(week)s AND f.created_on < %(week_end)s")
            params.update(week=monday, week_end=monday + dt.timedelta(days=7))
            words.append(f"came in the week of {date_format(monday, 'SHORT_DATE_FORMAT')}")
        if "campaign" in self.data:
            campaign = "" if data["campaign"] == NO_CAMPAIGN else data["campaign"]
            parts.append("f.utm_campaign = %(campaign)s")
            params["campaign"] = campaign
            words.append(f"campaign {campaign}" if campaign else "no campaign")
        for name, model, label in (("team", Team, "team"), ("owner", User, "owner")):
            value = data.get(name)
            if not value:
                continue
            if value == NONE:
                parts.append(f"f.{name}_id IS NULL")
                words.append(f"no {label}")
            else:
                parts.append(f"f.{name}_id = %({name})s")
                params[name] = int(value)
                found = model.objects.filter(pk=value).first()
                shown = (found.name if name == "team" else found.display_name) if found else value
                words.append(f"{label} {shown}")
        if data.get("response"):
            parts.append(c.RESPONSES[data["response"]])
            words.append(_RESPONSE_WORDS[data["response"]])
        if data.get("state"):
            parts.append(c.STATES[data["state"]])
            words.append({"open": "still open", "won": "completed", "lost": "lost"}[data["state"]])
        if data.get("stalled"):
            parts.append(c.STALLS[data["stalled"]])
            bucket = next(b for b in c.STALL_BUCKETS if b.key == data["stalled"])
            words.append(f"open, {bucket.label.lower()} at their stage")
        if data.get("lost_reason"):
            code = "" if data["lost_reason"] == NONE else data["lost_reason"]
            parts.append(c.LOST_FOR_REASON)
            params["lost_reason"] = code
            words.append(f"lost: {dict(LostReason.choices).get(code, 'no reason given')}")
        if data.get("referred"):
            parts.append(c.REFERRED)
            words.append("referred")
        if data.get("feedback"):
            parts.append(c.FEEDBACK[data["feedback"]])
            words.append(
                "completed, summary sent back"
                if data["feedback"] == "sent"
                else "completed, summary awaited"
            )
        if data.get("appointment"):
            parts.append(c.HAS_APPOINTMENT)
            words.append("with an appointment")
        return DrillCondition(
            sql=" AND ".join(f"({part})" for part in parts) or "TRUE",
            params=params,
            description=", ".join(words),
        )


_RESPONSE_WORDS = {
    "answered": "answered",
    "unanswered": "not answered yet",
    "sla_met": "answered within the SLA",
    "sla_missed": "missed the SLA",
    "sla_pending": "still inside the SLA window",
    **{bucket.key: f"first response {bucket.label.lower()}" for bucket in c.RESPONSE_BUCKETS},
}
