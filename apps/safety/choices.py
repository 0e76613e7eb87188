"""The emergencies every inquiry is screened for, and what a manager's phrase does."""

from django.db import models


class SafetyCategory(models.TextChoices):
    """Built into the product: a hospital can add phrases to a category, not categories.

    The order is the order of precedence when one message matches several: a poisoning
    needs an ambulance before it needs the crisis line.
    """

    OVERDOSE = "overdose", "Overdose or poisoning"
    SELF_HARM = "self_harm", "Suicide or self-harm"
    CARDIAC = "cardiac", "Chest pain or pressure"
    STROKE = "stroke", "Stroke signs"
    BREATHING = "breathing", "Cannot breathe"
    PREGNANCY = "pregnancy", "Pregnancy emergency"
    BLEEDING = "bleeding", "Bleeding that won't stop"
    VIOLENCE = "violence", "Violence or threats at home"


CATEGORY_PRECEDENCE = {value: rank for rank, value in enumerate(SafetyCategory.values)}


class PhraseKind(models.TextChoices):
    FLAG = "flag", "Flags the category"
    NOT_A_FLAG = "not_a_flag", "Not a flag (an idiom or a harmless wording)"
