"""The nurture sweep's queueing: which due sends go to workers now, at most
NURTURE_MAX_QUEUED at a time, and which wait for quiet hours or the weekly cap to end.
Delivering one send, and the exactly-once rules it follows, is apps.nurture.delivery."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.nurture.choices import SendStatus
from apps.nurture.models import NurtureSend
from apps.nurture.timing import MESSAGE_CHANNELS, send_hold


def nurture_sends_queue(*, now: dt.datetime | None = None, requeue_lost: bool = False) -> list[int]:
    """Find due sends and return the ids to hand to workers, marking them queued.

    Sends in quiet hours or over the weekly cap get a later due time instead. At most
    NURTURE_MAX_QUEUED sends are out with the broker at once, so a burst of 10,000 due
    steps never buries other work. With `requeue_lost` (the caller saw the broker's
    delivery queue empty), a send queued more than NURTURE_REQUEUE_SECONDS ago and still
    not started lost its task and is queued again; so is a claim left behind by a dead
    worker (see apps.nurture.delivery).
    """
    now = now or timezone.now()
    requeue_before = now - dt.timedelta(seconds=settings.NURTURE_REQUEUE_SECONDS)
    not_queued = Q(queued_at__isnull=True)
    if requeue_lost:
        not_queued |= Q(queued_at__lt=requeue_before)
    with transaction.atomic():
        outstanding = NurtureSend.objects.filter(
            status=SendStatus.PENDING, due_at__lte=now, queued_at__isnull=False
        )
        if requeue_lost:
            outstanding = outstanding.filter(queued_at__gte=requeue_before)
        room = settings.NURTURE_MAX_QUEUED - outstanding.count()
        if room <= 0:
            return _abandoned_claims(now=now)
        due = list(
            NurtureSend.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(not_queued, status=SendStatus.PENDING, due_at__lte=now)
            .select_related("enrollment__lead__location")
            .order_by("due_at", "id")[:room]
        )
        sent_times = _recent_message_times(person_ids={send.person_id for send in due}, now=now)
        ready, held = [], []
        for send in due:
            hold_until, hold_reason = send_hold(send=send, sent_times=sent_times, now=now)
            if hold_until is None:
                ready.append(send.pk)
                if send.channel in MESSAGE_CHANNELS:
                    # Counted as if sent, so one sweep never queues past the cap.
                    sent_times.setdefault(send.person_id, []).append(now)
            else:
                send.due_at, send.hold_reason = hold_until, hold_reason
                held.append(send)
        NurtureSend.objects.filter(pk__in=ready).update(queued_at=now)
        NurtureSend.objects.bulk_update(held, ["due_at", "hold_reason"])
    return ready + _abandoned_claims(now=now)


def _abandoned_claims(*, now: dt.datetime) -> list[int]:
    lease_before = now - dt.timedelta(seconds=settings.NURTURE_SEND_LEASE_SECONDS)
    with transaction.atomic():
        # Locked rows are being sent by a live worker: skip them.
        return list(
            NurtureSend.objects.select_for_update(skip_locked=True)
            .filter(status=SendStatus.SENDING, claimed_at__lt=lease_before)
            .values_list("pk", flat=True)[: settings.NURTURE_MAX_QUEUED]
        )


def _recent_message_times(*, person_ids: set[int], now: dt.datetime) -> dict[int, list]:
    times: dict[int, list] = {}
    rows = NurtureSend.objects.filter(
        person_id__in=person_ids,
        status=SendStatus.SENT,
        channel__in=MESSAGE_CHANNELS,
        sent_at__gt=now - dt.timedelta(days=7),
    ).values_list("person_id", "sent_at")
    for person_id, sent_at in rows:
        times.setdefault(person_id, []).append(sent_at)
    return times
