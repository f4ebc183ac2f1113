"""The processing officers' inbox (/work/): thin — parse the filters, authorise, call the selector, render."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.roles import Role
from desk import selectors_inbox as inbox_selectors
from desk.selectors_inbox import MINE, STATES, TABS, UNASSIGNED, UNIT, InboxFilters
from dossiers import workflow
from dossiers.permissions import actor_role
from portal.access import AGENCY, staff_only


class InboxFilterForm(forms.Form):
    """The query string of /work/; a bad value is named in a Vietnamese message and that filter is dropped."""

    tab = forms.ChoiceField(
        choices=TABS, required=False, error_messages={"invalid_choice": _("Thẻ danh sách không hợp lệ.")}
    )
    procedure = forms.TypedChoiceField(
        label=_("Thủ tục"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Thủ tục đã chọn không hợp lệ hoặc không thuộc đơn vị.")},
    )
    state = forms.ChoiceField(
        label=_("Tình trạng"),
        choices=[("", _("Tất cả")), *STATES],
        required=False,
        error_messages={"invalid_choice": _("Tình trạng đã chọn không hợp lệ.")},
    )
    handler = forms.ChoiceField(
        label=_("Người xử lý"),
        required=False,
        error_messages={"invalid_choice": _("Người xử lý đã chọn không hợp lệ.")},
    )
    page = forms.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        error_messages={
            "invalid": _("Số trang không hợp lệ."),
            "min_value": _("Số trang không hợp lệ."),
            "max_value": _("Số trang không hợp lệ."),
        },
    )

    def __init__(self, data, *, procedures, handlers):
        super().__init__(data)
        self.fields["procedure"].choices = [("", _("Tất cả")), *procedures]
        self.fields["handler"].choices = [
            ("", _("Tất cả")),
            (UNASSIGNED, _("Chưa phân công")),
            *((str(pk), name) for pk, name in handlers),
        ]

    def filters(self, *, default_tab: str) -> tuple[InboxFilters, list[str]]:
        """The valid filters and a message for each invalid one (never an exception)."""
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        errors = [str(message) for messages in self.errors.values() for message in messages]
        return (
            InboxFilters(
                tab=values.get("tab") or default_tab,
                procedure=values.get("procedure"),
                state=values.get("state") or None,
                handler=values.get("handler") or None,
                page=values.get("page") or 1,
            ),
            errors,
        )


@staff_only(roles=[*inbox_selectors.INBOX_ROLES, Role.DESK], scope=AGENCY)
@require_GET
def inbox(request):
    """Hồ sơ cần xử lý: the open steps of my agency, mine or my unit's, the soonest due first (50 a page).

    Officers and heads only. The desk's work is its queue, so a desk officer gets a pointer, not rows; a leader
    never reaches step lists with personal data this way (§2, §11), nor does a citizen: 403.
    """
    role = actor_role(request.user)
    if role == Role.DESK:
        return render(request, "desk/inbox_not_for_desk.html")
    agency = request.user.staff_profile.agency
    procedures = inbox_selectors.procedure_choices(agency=agency)
    handlers = inbox_selectors.handler_choices(agency=agency)
    form = InboxFilterForm(request.GET, procedures=procedures, handlers=handlers)
    filters, errors = form.filters(default_tab=UNIT if role == Role.HEAD else MINE)
    page = inbox_selectors.inbox_page(user=request.user, filters=filters, now=timezone.now())
    state_labels = dict(STATES)
    return render(
        request,
        "desk/inbox.html",
        {
            "form": form,
            "filters": filters,
            "errors": errors,
            "page": page,
            "tabs": TABS,
            "states": [
                (key, state_labels[key], inbox_selectors.count_shown(page.counts[key])) for key, _label in STATES
            ],
            "agency": agency,
            "window_hours": inbox_selectors.due_soon_hours(),
            # A head assigns checked rows of the unit tab to one of these (desk.views_bulk); nobody else sees it.
            "assignees": handlers if role == Role.HEAD and filters.tab == UNIT else [],
            # Rows whose dossier the engine's "assign" accepts from (the transition table's sources).
            "assignable": [str(status) for status in workflow.TRANSITIONS["assign"].sources],
            "inbox_query": request.GET.urlencode(),
        },
        status=400 if errors else 200,
    )
