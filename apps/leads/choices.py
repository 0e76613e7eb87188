"""The vocabularies of a lead's journey."""

from django.db import models


class LeadType(models.TextChoices):
    PATIENT = "patient", "Patient"
    CAREGIVER = "caregiver", "Caregiver"
    PHYSICIAN_REFERRAL = "physician_referral", "Physician referral"
    EMPLOYER = "employer", "Employer"
    EVENT = "event", "Event"


class Channel(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    EMAIL = "email", "Email"
    WALK_IN = "walk_in", "Walk-in"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon"
    URGENT = "urgent", "Urgent"


class LostReason(models.TextChoices):
    """Why a lead was lost; leakage reports group by these codes."""

    OUT_OF_NETWORK = "out_of_network", "Out of network / insurance"
    DECLINED_BY_PATIENT = "declined_by_patient", "Declined by the patient"
    CHOSE_ANOTHER_PROVIDER = "chose_another_provider", "Chose another provider"
    NO_RESPONSE = "no_response", "Never reached"
    NOT_A_CANDIDATE = "not_a_candidate", "Not a clinical candidate"
    SERVICE_NOT_OFFERED = "service_not_offered", "Service not offered"
    DUPLICATE = "duplicate", "Duplicate inquiry"
    OTHER = "other", "Other"


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    NOTE = "note", "Note"
    TASK = "task", "Task"
    MEETING = "meeting", "Meeting"
    INQUIRY = "inquiry", "Inquiry"
    STAGE_CHANGE = "stage_change", "Stage change"
    ASSIGNMENT = "assignment", "Assignment"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    INTERNAL = "internal", "Internal"


class Outcome(models.TextChoices):
    REACHED = "reached", "Reached"
    LEFT_VOICEMAIL = "left_voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    MISSED_INBOUND_CALL = "missed_inbound_call", "Missed inbound call"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    BOUNCED = "bounced", "Bounced"
    REPLIED = "replied", "Replied"
