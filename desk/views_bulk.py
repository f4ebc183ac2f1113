"""Bulk assignment from the officers' inbox (/work/assign/): a head picks rows of the unit tab and one officer.

The engine's `assign` action runs once per dossier, each in its own transaction, with the revision that was on
screen: a dossier someone changed meanwhile is refused with the engine's message ("vừa được … thay đổi lúc …")
and the others still go through (docs/domain.md §4.1 T7, docs/conventions.md "State changes"). The view restates no
rule: who may be assigned, and whether the step is open, is the engine's to say.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from desk.selectors_inbox import INBOX_ROLES, PAGE_SIZE
from dossiers import services
from dossiers.errors import DossierError
from dossiers.permissions import dossiers_visible_to
from portal.access import AGENCY, staff_only

# A picked row: "<dossier id>:<revision shown>".
PICK = re.compile(r"(\d{1,18}):(\d{1,9})")
# What the inbox's query string may carry back after the POST (its filters and page).
INBOX_KEYS = ("tab", "procedure", "state", "handler", "page")


class PickedDossiers(forms.Field):
    """The checked rows, as (dossier id, revision) pairs in the order shown, each once; one page at most."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": gettext_lazy("Chưa chọn hồ sơ nào để phân công."),
        "invalid": gettext_lazy("Lựa chọn hồ sơ không hợp lệ; vui lòng tải lại trang."),
        "too_many": gettext_lazy("Mỗi lần phân công tối đa {n} hồ sơ."),
    }

    def to_python(self, value) -> list[tuple[int, int]]:
        picked: dict[int, int] = {}
        for item in value or []:
            match = PICK.fullmatch(str(item))
            if match is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            picked.setdefault(int(match[1]), int(match[2]))
        return list(picked.items())

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > PAGE_SIZE:
            raise ValidationError(str(self.error_messages["too_many"]).format(n=PAGE_SIZE), code="too_many")


class BulkAssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Phân công cho"),
        error_messages={
            "required": gettext_lazy("Chọn cán bộ được phân công."),
            "invalid_choice": gettext_lazy("Cán bộ được chọn không thuộc đơn vị."),
        },
    )
    dossier = PickedDossiers()

    def __init__(self, data, *, agency):
        super().__init__(data)
        # The unit's officers and heads — the people the inbox lists as handlers.
        self.fields["handler"].queryset = User.objects.filter(
            staff_profile__agency=agency, staff_profile__role__in=INBOX_ROLES
        ).select_related("staff_profile")


def inbox_return_url(query: str) -> str:
    """The inbox as it was on screen: only its own filters are carried back, onto its own path."""
    given = QueryDict(query[:500])
    kept = QueryDict(mutable=True)
    for key in INBOX_KEYS:
        if given.get(key):
            kept[key] = given[key][:20]
    kept.setdefault("tab", "unit")
    return f"{reverse('desk:inbox')}?{kept.urlencode()}"


@staff_only(roles=[Role.HEAD], scope=AGENCY)
@require_POST
def bulk_assign(request):
    """Assign every checked dossier to one officer; say how many went through and why each other one did not."""
    back = inbox_return_url(request.POST.get("back", ""))
    form = BulkAssignForm(request.POST, agency=request.user.staff_profile.agency_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    handler, picked = form.cleaned_data["handler"], form.cleaned_data["dossier"]
    # Codes for the messages, in one query; a dossier outside the head's scope is refused by the engine anyway.
    codes = dict(dossiers_visible_to(request.user).filter(pk__in=[pk for pk, _rev in picked]).values_list("pk", "code"))
    assigned, refused = [], []
    for pk, revision in picked:
        try:
            services.dossier_transition(
                dossier=pk, action="assign", actor=request.user, expected_revision=revision, handler=handler
            )
        except DossierError as error:
            refused.append((codes.get(pk) or _("(không xác định)"), error.message))
        else:
            assigned.append(codes[pk])
    if assigned:
        messages.success(
            request,
            _("Đã phân công {n} hồ sơ cho {name}: {codes}.").format(
                n=len(assigned), name=handler, codes=", ".join(assigned)
            ),
        )
    for code, message in refused:
        if code in message:  # the engine's message names the dossier already ("Hồ sơ … vừa được … thay đổi …")
            messages.error(request, _("Không phân công được: {message}").format(message=message))
        else:
            messages.error(
                request, _("Không phân công được hồ sơ {code}: {message}").format(code=code, message=message)
            )
    return redirect(back)
