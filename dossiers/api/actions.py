"""DRF serializers derived from the transition table, for the API of the next issues: one per action."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from rest_framework import serializers

from agencies.models import Agency
from dossiers.workflow import Field, Kind, Transition


def _serializer_field(field: Field) -> serializers.Field:  # noqa: C901 - one branch per declared kind
    common = {"label": str(field.label), "required": field.required, "help_text": str(field.help_text) or None}
    if not field.required:
        common["allow_null"] = True
    if field.kind == Kind.TEXT:
        return serializers.CharField(max_length=field.max_length, allow_blank=not field.required, **common)
    if field.kind == Kind.INT:
        if field.choices:
            return serializers.ChoiceField(choices=field.choices, **common)
        return serializers.IntegerField(min_value=field.min_value, **common)
    if field.kind == Kind.BOOL:
        return serializers.BooleanField(**common)
    if field.kind == Kind.DATE:
        return serializers.DateField(**common)
    if field.kind == Kind.DATETIME:
        return serializers.DateTimeField(**common)
    if field.kind == Kind.CHOICE:
        return serializers.ChoiceField(choices=field.choices, **common)
    if field.kind == Kind.ITEMS:
        return serializers.ListField(child=serializers.DictField(child=serializers.CharField()), **common)
    if field.kind == Kind.IDS:
        return serializers.ListField(child=serializers.IntegerField(min_value=1), **common)
    if field.kind == Kind.DOCUMENT_IDS:
        return serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, **common)
    if field.kind == Kind.AGENCY:
        return serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True), **common)
    if field.kind == Kind.USER:
        users = get_user_model().objects.filter(staff_profile__isnull=False)
        return serializers.PrimaryKeyRelatedField(queryset=users, **common)
    if field.kind == Kind.FILE:
        # A multipart upload; its type is checked from the bytes by the engine (dossiers/inputs.py).
        return serializers.FileField(**common)
    raise ValueError(f"{field.name}: the kind {field.kind!r} has no serializer field")


@cache
def action_serializer_class(transition: Transition) -> type[serializers.Serializer]:
    fields = {f.name: _serializer_field(f) for f in transition.fields}
    fields["expected_revision"] = serializers.IntegerField(required=False)
    return type(f"{transition.key.title().replace('_', '')}Serializer", (serializers.Serializer,), fields)
