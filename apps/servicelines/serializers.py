"""Shapes of service lines in the staff API."""

from rest_framework import serializers

from apps.servicelines.models import QualificationQuestion


class QualificationQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        read_only=True, help_text="The key of this answer in a stage change's answers."
    )
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    answer_kind = serializers.ChoiceField(
        choices=QualificationQuestion.AnswerKind.choices, read_only=True
    )
    is_required = serializers.BooleanField(read_only=True)


class ServiceLineSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    urgent_response_minutes = serializers.IntegerField(read_only=True)
    soon_response_minutes = serializers.IntegerField(read_only=True)
    routine_response_minutes = serializers.IntegerField(read_only=True)
    qualification_questions = QualificationQuestionSerializer(many=True, read_only=True)
