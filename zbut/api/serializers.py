"""What the API reads from a request and what it answers (Input / Output serializers)."""

from __future__ import annotations

from rest_framework import serializers

from zbut.bases.models import Company, CompanyPhone
from zbut.bases.outcomes import Outcome
from zbut.history.models import Event
from zbut.projects.models import Project

from .selectors import NO_OUTCOME

EVENTS_LIMIT_DEFAULT = 100
EVENTS_LIMIT_MAX = 500
BIGINT_MAX = 2**63 - 1  # ids are 64-bit: anything larger is a bad cursor, not a database error


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (zbut.api.errors)."""

    code = serializers.CharField()
    message_uk = serializers.CharField()
    message_en = serializers.CharField()
    detail = serializers.JSONField(required=False)


class ProjectOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["slug", "name", "kind", "state", "starts_on", "ends_on"]


class PhoneOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompanyPhone
        fields = ["e164", "extension", "kind", "is_bad"]


class CompanyFilterSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[*Outcome.values, NO_OUTCOME],
        required=False,
        help_text="Current outcome; `none` for companies without one yet.",
    )
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only companies with an event at or after this moment."
    )


class CompanyOutputSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(help_text="Current outcome code, empty when none yet.")
    outcome_label = serializers.SerializerMethodField()
    phones = PhoneOutputSerializer(many=True, read_only=True)
    emails = serializers.SlugRelatedField(many=True, read_only=True, slug_field="address")

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "legal_form",
            "edrpou",
            "region",
            "category",
            "address",
            "contact_person",
            "base_state",
            "outcome",
            "outcome_label",
            "contact_count",
            "last_contact_at",
            "next_callback_on",
            "phones",
            "emails",
        ]

    def get_outcome_label(self, company: Company) -> str:
        return str(company.get_outcome_display()) if company.outcome else ""


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0,
        max_value=BIGINT_MAX,
        default=0,
        help_text="The last event id already seen (0 for the start).",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=EVENTS_LIMIT_MAX, default=EVENTS_LIMIT_DEFAULT
    )


class EventOutputSerializer(serializers.ModelSerializer):
    company_id = serializers.IntegerField(allow_null=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "seq", "kind", "company_id", "actor", "payload", "occurred_at"]

    def get_actor(self, event: Event) -> str | None:
        return event.actor.get_full_name() if event.actor is not None else None


class EventPageSerializer(serializers.Serializer):
    results = EventOutputSerializer(many=True)
    next_after = serializers.IntegerField(help_text="Pass as `after` to get the next events.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")
