"""Django forms derived from the transition table: a screen renders an action's declared input, never restates it.

`action_form_class(transition)` builds the form of one action from `workflow.Transition.fields`; the engine still
checks everything again (`dossiers.inputs`), so a form only shapes the input for people.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from dossiers.files import EXTENSIONS
from dossiers.workflow import Field, Kind, Transition

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUTS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ItemsField(forms.CharField):
    """One item per line, "document: what to complete" — the supplement request's list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value):
        text = super().to_python(value)
        items = []
        for line in text.splitlines():
            document, _sep, content = line.partition(":")
            if document.strip():
                items.append({"document": document.strip(), "content": content.strip()})
        return items


class DocumentIdsField(forms.Field):
    """The ids of the checked components, from repeated hidden inputs (a screen with the checklist renders its own
    checkboxes under the same name); none posted means "not given", so the ticks stay as they were."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Danh sách giấy tờ đã kiểm tra không hợp lệ."), code="invalid") from error


class StaffChoiceField(forms.ModelChoiceField):
    """A staff account, shown by name and role ("Nguyễn Văn A — Chuyên viên thụ lý"), never by its username.

    The screen narrows the queryset to the people who may hold the step; give it one with `staff_profile` joined."""

    def label_from_instance(self, obj) -> str:
        return staff_label(obj)


def staff_label(user) -> str:
    name = user.full_name or user.get_full_name() or _("(chưa có họ tên)")
    profile = getattr(user, "staff_profile", None)
    return f"{name} — {profile.get_role_display()}" if profile is not None else str(name)


def _form_field(field: Field) -> forms.Field:  # noqa: C901 - one branch per declared kind
    common = {
        "label": field.label,
        "required": field.required,
        "help_text": field.help_text,
        # The engine's own words for a missing value, not Django's generic "This field is required".
        # Lazy: the form classes are built once and cached, and serve Vietnamese and English pages alike.
        "error_messages": {"required": format_lazy(_("Cần nhập “{label}”."), label=field.label)},
    }
    if field.kind == Kind.TEXT:
        widget = forms.Textarea(attrs={"rows": 3}) if field.name == "note" else None
        return forms.CharField(max_length=field.max_length, widget=widget, **common)
    if field.kind == Kind.INT:
        if field.choices:
            return forms.TypedChoiceField(choices=field.choices, coerce=int, **common)
        return forms.IntegerField(min_value=field.min_value, **common)
    if field.kind == Kind.BOOL:
        return forms.BooleanField(**{**common, "required": False})
    if field.kind == Kind.DATE:
        return forms.DateField(input_formats=DATE_INPUTS, **common)
    if field.kind == Kind.DATETIME:
        return forms.DateTimeField(input_formats=DATETIME_INPUTS, **common)
    if field.kind == Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *field.choices], **common)
    if field.kind == Kind.ITEMS:
        return ItemsField(**common)
    if field.kind == Kind.IDS:
        # The rows to choose from belong to one dossier: the screen that shows the form fills in the choices.
        return forms.TypedMultipleChoiceField(
            coerce=int, choices=(), widget=forms.CheckboxSelectMultiple, **{**common, "required": field.required}
        )
    if field.kind == Kind.DOCUMENT_IDS:
        return DocumentIdsField(**{**common, "required": False})
    if field.kind == Kind.AGENCY:
        return forms.ModelChoiceField(
            queryset=Agency.objects.filter(is_active=True).order_by("name"), empty_label=_("— Chọn —"), **common
        )
    if field.kind == Kind.USER:
        users = get_user_model().objects.filter(staff_profile__isnull=False).select_related("staff_profile")
        return StaffChoiceField(queryset=users, empty_label=_("— Chọn —"), **common)
    if field.kind == Kind.FILE:
        # The browser's file picker offers the accepted types; the engine checks the bytes (dossiers/inputs.py).
        accept = ",".join([*(EXTENSIONS[t] for t in field.accept if t in EXTENSIONS), *field.accept])
        return forms.FileField(widget=forms.FileInput(attrs={"accept": accept} if accept else {}), **common)
    raise ValueError(f"{field.name}: the kind {field.kind!r} has no form field")


class ActionForm(forms.Form):
    """Base of every action form: the revision the page was shown at, so a stale page gets "already changed"."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    transition: Transition

    def action_input(self) -> dict:
        """The cleaned values to pass to `services.dossier_transition` (blank optional ones left out)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "expected_revision" and value not in (None, "", [])
        }


@cache
def action_form_class(transition: Transition) -> type[ActionForm]:
    # The note last: people fill in what the action needs, then add a word about it.
    ordered = sorted(transition.fields, key=lambda f: f.name == "note")
    fields = {f.name: _form_field(f) for f in ordered}
    return type(f"{transition.key.title().replace('_', '')}Form", (ActionForm,), {**fields, "transition": transition})
