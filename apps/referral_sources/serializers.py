"""Shapes of referral sources in the staff API."""

from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api import EmailOrBlankField, TextField
from apps.referral_sources.models import ReferralSource, ReferralSourceKind
from apps.referral_sources.validators import validate_npi


class LiaisonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = TextField(read_only=True)


class ReferralSourceListSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ReferralSourceKind.choices, read_only=True)
    name = TextField(read_only=True)
    npi = TextField(read_only=True, allow_null=True)
    specialty = TextField(read_only=True)
    organization_name = TextField(read_only=True)
    city = TextField(read_only=True)
    state = TextField(read_only=True)
    territory = TextField(read_only=True)
    owning_liaison = LiaisonBriefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)


class ReferralSourceDetailSerializer(ReferralSourceListSerializer):
    parent_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The practice or organization on file."
    )
    address_line1 = TextField(read_only=True)
    address_line2 = TextField(read_only=True)
    postal_code = TextField(read_only=True)
    phone = TextField(read_only=True)
    email = EmailOrBlankField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ReferralSourceWriteSerializer(serializers.Serializer):
    """Fields staff set on a referral source. An NPI belongs to one source and to
    providers only; the owner must be a liaison."""

    kind = serializers.ChoiceField(choices=ReferralSourceKind.choices)
    name = TextField(max_length=200)
    npi = TextField(
        max_length=10,
        required=False,
        allow_blank=True,
        allow_null=True,
        validators=[validate_npi],
        help_text="10 digits with a valid check digit; providers only.",
    )
    specialty = TextField(max_length=120, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=ReferralSource.objects.all(), required=False, allow_null=True
    )
    organization_name = TextField(max_length=200, required=False, allow_blank=True)
    address_line1 = TextField(max_length=200, required=False, allow_blank=True)
    address_line2 = TextField(max_length=200, required=False, allow_blank=True)
    city = TextField(max_length=100, required=False, allow_blank=True)
    state = TextField(max_length=50, required=False, allow_blank=True)
    postal_code = TextField(max_length=10, required=False, allow_blank=True)
    phone = TextField(max_length=20, required=False, allow_blank=True)
    email = EmailOrBlankField(required=False)
    territory = TextField(max_length=60, required=False, allow_blank=True)
    owning_liaison = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)
