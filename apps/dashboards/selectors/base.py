"""Shared pieces of the panel selectors: labels and the request's moment."""

import datetime as dt

from django.utils import timezone

from apps.leads.choices import Channel, LostReason
from apps.referral_sources.models import ReferralSourceKind

CHANNEL_LABELS = dict(Channel.choices)
LOST_REASON_LABELS = dict(LostReason.choices)
SOURCE_KIND_LABELS = dict(ReferralSourceKind.choices)


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
