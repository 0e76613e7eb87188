"""The email and the text message one nurture step sends, and its unsubscribe link.

Only the merge fields of apps.nurture.merge_fields reach a message: never the lead's
condition, payer or message. The unsubscribe link carries a signed send id and nothing
else (no email address, no name).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from apps.leads.models import Lead
from apps.nurture.merge_fields import merge_fields_render
from apps.nurture.models import NurtureSend, NurtureStep, NurtureTrack
from apps.people.models import ConsentPurpose

UNSUBSCRIBE_SALT = "apps.nurture.unsubscribe"
SMS_OPT_OUT_LINE = "Reply STOP to opt out."


def unsubscribe_token(*, send_id: int) -> str:
    """A signed send id, with a key of its own (NURTURE_UNSUBSCRIBE_KEY): links sent to
    patients never depend on SECRET_KEY or its development default."""
    return signing.dumps(send_id, key=settings.NURTURE_UNSUBSCRIBE_KEY, salt=UNSUBSCRIBE_SALT)


def unsubscribe_send_id(*, token: str) -> int:
    """The send an unsubscribe token was made for; raises signing.BadSignature when the
    token was not made by us (tampered, truncated, another salt or key). Links signed
    with a key listed in NURTURE_UNSUBSCRIBE_KEY_FALLBACKS still work after a rotation."""
    value = signing.loads(
        token,
        key=settings.NURTURE_UNSUBSCRIBE_KEY,
        fallback_keys=settings.NURTURE_UNSUBSCRIBE_KEY_FALLBACKS,
        salt=UNSUBSCRIBE_SALT,
    )
    if not isinstance(value, int) or isinstance(value, bool):
        raise signing.BadSignature("Not an unsubscribe token.")
    return value


def unsubscribe_url(*, send_id: int) -> str:
    path = reverse("nurture:unsubscribe", args=[unsubscribe_token(send_id=send_id)])
    return settings.SITE_URL.rstrip("/") + path


def merge_values(*, lead: Lead, track: NurtureTrack) -> dict[str, str]:
    """The values of the safe merge fields for one lead (needs person, service_line,
    location and owner loaded)."""
    owner = lead.owner
    location = lead.location
    coordinator_phone = ""
    if owner is not None and owner.phone:
        coordinator_phone = owner.phone.as_national
    elif location is not None:
        coordinator_phone = location.phone
    return {
        "first_name": lead.person.first_name,
        "service_line": lead.service_line.name,
        "location": location.name if location else "",
        # A login name is not how staff introduce themselves to patients.
        "coordinator_name": (owner.get_full_name() if owner else "") or "our intake team",
        "coordinator_phone": coordinator_phone,
        "scheduling_link": track.scheduling_link or settings.NURTURE_SCHEDULING_URL,
    }


def message_id(*, send_id: int) -> str:
    """The same Message-ID for every attempt at one send, so a mail client or server
    that sees a message twice (a resend after a crash) can tell it is one message."""
    domain = urlsplit(settings.SITE_URL).hostname or "leadcrm.invalid"
    return f"<nurture-send-{send_id}@{domain}>"


def email_build(*, send: NurtureSend) -> EmailMultiAlternatives:
    """The email of one send (step, enrollment, track and lead loaded), with the
    one-click unsubscribe headers of RFC 8058."""
    enrollment = send.enrollment
    lead, track, step = enrollment.lead, enrollment.track, send.step
    link = unsubscribe_url(send_id=send.pk)
    return email_compose(
        step=step,
        track=track,
        values=merge_values(lead=lead, track=track),
        to=lead.person.email,
        reply_to=lead.owner.email if lead.owner and lead.owner.email else "",
        unsubscribe_link=link,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id(send_id=send.pk),
        },
    )


def email_compose(
    *,
    step: NurtureStep,
    track: NurtureTrack,
    values: dict[str, str],
    to: str,
    reply_to: str = "",
    unsubscribe_link: str,
    headers: dict[str, str] | None = None,
    subject_prefix: str = "",
    note: str = "",
) -> EmailMultiAlternatives:
    """The email a step makes from merge values: the one builder behind real sends,
    previews and test sends (`note` opens the text, for a test)."""
    context = {
        "text": merge_fields_render(step.body, values),
        "note": note,
        "unsubscribe_url": unsubscribe_link,
        "is_marketing": track.purpose == ConsentPurpose.MARKETING,
        "location": values["location"],
    }
    message = EmailMultiAlternatives(
        subject=subject_prefix + merge_fields_render(step.subject, values),
        body=render_to_string("emails/nurture/message.txt", context),
        from_email=settings.NURTURE_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(
        render_to_string("emails/nurture/message.html", context), "text/html"
    )
    return message


def sms_text(*, send: NurtureSend) -> str:
    """The text message of one send, ending with how to opt out."""
    enrollment = send.enrollment
    values = merge_values(lead=enrollment.lead, track=enrollment.track)
    return sms_compose(step=send.step, values=values)


def sms_compose(*, step: NurtureStep, values: dict[str, str]) -> str:
    """A step's text message from merge values, ending with how to opt out."""
    return f"{merge_fields_render(step.body, values).strip()} {SMS_OPT_OUT_LINE}"
