"""The desk's online review: /desk/review/<code>/ (docs/domain.md §4.1 T3, T4, T5, T10; §5.8).

Left, the procedure's checklist with each component's files; right, the selected file shown in the page (served by
`dossiers:file-inline` after the access check). The officer ticks what is there and decides: receive, ask once for
everything missing, or refuse with reasons — one POST to the engine with the ticks (`checked_documents`). The view
restates no rule: what may be done comes from `dossier_actions_available`, the engine refuses the rest.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from desk.forms_review import ReviewForm, mandatory
from desk.selectors_review import REVIEWABLE, review_dossier
from desk.views_intake import print_link
from desk.views_queue import time_left
from dossiers import services, workflow
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from dossiers.models import SupplementStage
from dossiers.permissions import dossier_actions_available
from dossiers.selectors import personal_data_read_log
from dossiers.views_files import INLINE_TYPES
from portal.access import DOSSIER, staff_only
from procedures.models import ClockMode

REVIEW_ACTIONS = ("receive", "request_supplement_intake", "refuse", "accept_supplement")
# What each decision prints (docs/domain.md §6.1) and says.
PRINTS = {
    "receive": ("receipt", gettext_lazy("In giấy tiếp nhận và hẹn trả kết quả")),
    "accept_supplement": ("receipt", gettext_lazy("In giấy tiếp nhận và hẹn trả kết quả")),
    "request_supplement_intake": ("supplement", gettext_lazy("In phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    "refuse": ("refusal", gettext_lazy("In phiếu từ chối tiếp nhận giải quyết hồ sơ")),
}
DONE = {
    "receive": gettext_lazy("Đã tiếp nhận hồ sơ {code}."),
    "accept_supplement": gettext_lazy("Đã nhận hồ sơ bổ sung {code}."),
    "request_supplement_intake": gettext_lazy("Đã yêu cầu bổ sung hồ sơ {code}."),
    "refuse": gettext_lazy("Đã từ chối tiếp nhận hồ sơ {code}."),
}


@staff_only(roles=[workflow.DESK], scope=DOSSIER)
@require_http_methods(["GET", "POST"])
def review(request, code: str):
    dossier = review_dossier(user=request.user, code=code, **request_client(request))
    if dossier.status not in REVIEWABLE:
        messages.info(request, _("Hồ sơ {code} không còn chờ tiếp nhận.").format(code=dossier.code))
        return redirect("dossiers:detail", code=dossier.code)
    personal_data_read_log(user=request.user, dossier_id=dossier.pk, purpose="review", **request_client(request))
    now = timezone.now()
    available = {t.key for t in dossier_actions_available(request.user, dossier, now=now)}
    documents = list(dossier.documents.all())
    form = ReviewForm(
        request.POST or None,
        documents=documents,
        status=dossier.status,
        outcome=request.POST.get("outcome") or None,
        initial={"expected_revision": dossier.revision, "checked": [d.pk for d in documents if d.checked]},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_transition(
                    dossier=dossier.pk,
                    action=form.action,
                    actor=request.user,
                    expected_revision=form.cleaned_data["expected_revision"],
                    **form.engine_input(),
                )
            except DossierRefused as refusal:
                form.engine_error(refusal.field, refusal.message)
            else:
                key, label = PRINTS[form.action]
                done = str(DONE[form.action]).format(code=dossier.code)
                messages.success(request, print_link(dossier.code, key, done, label))
                return redirect("dossiers:detail", code=dossier.code)
        status = 400
    return render(request, "desk/review.html", _context(request, dossier, form, available, now), status=status)


def _context(request, dossier, form: ReviewForm, available: set[str], now: dt.datetime) -> dict:
    checked = form.checked_ids()
    files = [f for d in form.documents for f in d.review_files] + dossier.other_files
    # An answered supplement opens on the first file the applicant sent: that is what the desk checks now.
    selected = _selected(request, dossier.supplement_files + files)
    receiving = "accept_supplement" if dossier.status == workflow.Status.SUPPLEMENT_REQUESTED else "receive"
    return {
        "dossier": dossier,
        "form": form,
        "rows": [{"document": d, "checked": d.pk in checked, "mandatory": mandatory(d)} for d in form.documents],
        "selected": selected,
        "selected_inline": selected is not None and selected.content_type in INLINE_TYPES,
        "acceptance": _acceptance(dossier, now),
        "supplement": getattr(dossier, "supplement_request", None)
        if dossier.status == workflow.Status.SUPPLEMENT_REQUESTED
        else None,
        "supplied": dossier.substate == workflow.SUPPLIED,
        "accept_explained": _accept_explained(dossier) if receiving == "accept_supplement" else "",
        "can_receive": receiving in available,
        "no_receive": receiving not in available,
        "receive_label": workflow.TRANSITIONS[receiving].label,
        "no_supplement": "request_supplement_intake" not in available,
        "no_refusal": "refuse" not in available,
    }


def _accept_explained(dossier) -> str:
    """What accepting the supplement does to the clock (§5.6), said before the officer decides: after an intake
    request the dossier is received now and its time starts; after an appraisal request the paused time restarts
    in full or continues with what was left, as the procedure version says."""
    request = getattr(dossier, "supplement_request", None)
    if request is None or request.stage == SupplementStage.INTAKE:
        return _(
            "Nhận hồ sơ bổ sung: hồ sơ được tiếp nhận từ lúc này và thời hạn giải quyết bắt đầu tính từ lúc nhận; "
            "sau đó in giấy tiếp nhận và hẹn trả kết quả."
        )
    if dossier.procedure_version.supplement_clock_mode == ClockMode.CONTINUE:
        return _(
            "Nhận hồ sơ bổ sung: hồ sơ trở lại xử lý ở bước đang dừng; thời hạn giải quyết tính tiếp thời gian còn "
            "lại lúc tạm dừng, kể từ lúc nhận (theo quy định của thủ tục)."
        )
    return _(
        "Nhận hồ sơ bổ sung: hồ sơ trở lại xử lý ở bước đang dừng; thời hạn giải quyết được tính lại từ đầu kể từ "
        "lúc nhận (theo quy định của thủ tục)."
    )


def _selected(request, files: list):
    """The file asked for (?file=<id>, a link that works without the page's script), else the first one."""
    wanted = request.GET.get("file", "")
    for record in files:
        if str(record.pk) == wanted:
            return record
    return files[0] if files else None


def _acceptance(dossier, now: dt.datetime) -> dict | None:
    """The acceptance window of an online dossier (§5.8): time left, or late — a decision now is flagged late."""
    due = dossier.acceptance_due_at
    if dossier.status != workflow.Status.SUBMITTED or due is None:
        return None
    return {"due": due, "late": now > due, "left": time_left(due, now)}
