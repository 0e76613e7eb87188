from django import forms

from apps.servicelines.models import ServiceLine
from apps.sla.models import ResponsePolicy


class ResponsePolicyForm(forms.ModelForm):
    """A response policy as managers edit it in the app."""

    class Meta:
        model = ResponsePolicy
        fields = [
            "service_line",
            "urgency",
            "lead_type",
            "target_minutes",
            "owner_notice_percent",
            "alert_at_breach",
            "fallback_after_breach_minutes",
            "missed_call_return_minutes",
            "is_active",
        ]
        labels = {
            "target_minutes": "Target (minutes)",
            "owner_notice_percent": "Notify the owner at (% of target)",
            "fallback_after_breach_minutes": "Reassign to fallback team after breach (minutes)",
            "missed_call_return_minutes": "Missed call must be returned within (minutes)",
        }


class ServiceLineTargetsForm(forms.ModelForm):
    """A service line's default first-response targets (when no policy sets one)."""

    class Meta:
        model = ServiceLine
        fields = ["urgent_response_minutes", "soon_response_minutes", "routine_response_minutes"]
        labels = {
            "urgent_response_minutes": "Urgent (minutes, around the clock)",
            "soon_response_minutes": "Soon (business minutes)",
            "routine_response_minutes": "Routine (business minutes)",
        }
        widgets = {name: forms.NumberInput(attrs={"min": 1}) for name in fields}
