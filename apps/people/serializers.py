"""Shapes of people (patients and caregivers) in the staff API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import EmailOrBlankField, TextField, iso_date, iso_datetime
from apps.leads.serializers import (
    ConsentInForceSerializer,
    ServiceLineBriefSerializer,
    StageBriefSerializer,
    consent_in_force_representation,
)
from apps.people.models import Person


class PersonListSerializer(serializers.Serializer):
    """One row of the people list."""

    # Built from a dict of PERSON_ROW_FIELDS.

    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)
    first_name = TextField(read_only=True)
    last_name = TextField(read_only=True)
    phone = TextField(read_only=True)
    email = EmailOrBlankField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    preferred_language = TextField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row: dict) -> dict:
        return {
            "id": row["id"],
            "display_name": f"{row['first_name']} {row['last_name']}".strip(),
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "phone": str(row["phone"] or ""),
            "email": row["email"],
            "date_of_birth": iso_date(row["date_of_birth"]),
            "preferred_language": row["preferred_language"],
            "created_at": iso_datetime(row["created_at"]),
        }


PERSON_ROW_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "phone",
    "email",
    "date_of_birth",
    "preferred_language",
    "created_at",
)


class PersonLeadSerializer(serializers.Serializer):
    """A lead of the person that the user may see, and the person's part in it."""

    id = serializers.IntegerField(read_only=True)
    role = serializers.ChoiceField(choices=["patient", "caregiver"], read_only=True)
    service_line = ServiceLineBriefSerializer(read_only=True)
    stage = StageBriefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class PersonDetailSerializer(serializers.Serializer):
    """A person with the consent in force and the leads of theirs the caller may see."""

    # Needs `consents` ({person_id: {purpose: {channel: Consent}}}) and `leads` in the
    # context.

    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)
    first_name = TextField(read_only=True)
    last_name = TextField(read_only=True)
    phone = TextField(read_only=True)
    email = EmailOrBlankField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    preferred_language = TextField(read_only=True)
    postal_code = TextField(read_only=True)
    patient_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="For a caregiver: the patient's id."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    consent = serializers.SerializerMethodField()
    leads = serializers.SerializerMethodField()

    def to_representation(self, person: Person) -> dict:
        data = super().to_representation(person)
        data["phone"] = str(person.phone) if person.phone else ""
        return data

    @extend_schema_field(ConsentInForceSerializer)
    def get_consent(self, person: Person) -> dict:
        return consent_in_force_representation(self.context["consents"].get(person.pk, {}))

    @extend_schema_field(PersonLeadSerializer(many=True))
    def get_leads(self, person: Person) -> list[dict]:
        return [
            {
                "id": lead.pk,
                "role": "patient" if lead.person_id == person.pk else "caregiver",
                "service_line": {"slug": lead.service_line.slug, "name": lead.service_line.name},
                "stage": {
                    "slug": lead.stage.slug,
                    "name": lead.stage.name,
                    "kind": lead.stage.kind,
                },
                "is_open": lead.is_open,
                "created_at": iso_datetime(lead.created_at),
            }
            for lead in self.context["leads"]
        ]
