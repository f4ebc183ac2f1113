"""The official paper forms of a dossier as PDF (docs/domain.md §6): receipt, supplement request, refusal,
apology, stop notice, process control sheet, the desk's tracking register and the result handover record.

Each form is one function that gathers its data into plain strings (dates, times and money already written the
Vietnamese way) and one template under `templates/dossiers/print/`; `render_form` dispatches on the stable key.
The forms are legal documents: always rendered in Vietnamese, whatever the user's language, in the
Asia/Ho_Chi_Minh time zone. WeasyPrint is imported inside the render call (its import costs ~0.8 s).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, OneStopDesk
from dossiers import handover
from dossiers.models import (
    Apology,
    Channel,
    DocumentForm,
    DocumentNumber,
    Dossier,
    DossierEvent,
    DossierStep,
    FeeMode,
    RegisterEntry,
    ResultHandover,
    ReturnMethod,
    SupplementRequest,
)
from dossiers.numbering import NUMBERED_FORMS
from dossiers.workflow import Status
from portal.outbound import pdf_url_fetcher
from procedures.display import time_limit_text, vnd

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CIRCULAR = "Thông tư số 03/2025/TT-VPCP"
DESK_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
NATIONAL_PORTAL = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"
PRINT_CSS = settings.BASE_DIR / "static" / "css" / "print.css"
BLANK = "……………"
# The longest period one register (PDF or screen) covers: a quarter.
MAX_REGISTER_DAYS = 92


@dataclass(frozen=True)
class OfficialForm:
    """One form of Appendix I of Circular 03/2025 as printed: its number, its title and its paper."""

    number: str
    title: str
    page: str = "A5 portrait"


# The set in force since 15/9/2025 (Circular 03/2025/TT-VPCP). The numbering is unverified (docs/domain.md §6.1,
# open question 4): it lives here and nowhere else, so a correction is one line.
FORM_KEYS: dict[str, OfficialForm] = {
    "receipt": OfficialForm("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": OfficialForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": OfficialForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": OfficialForm("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
    "stop_notice": OfficialForm("05", "Thông báo dừng giải quyết hồ sơ"),
    "control_sheet": OfficialForm("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "register": OfficialForm("07", "Sổ theo dõi hồ sơ", page="A4 landscape"),
    # Not a form of the circular [design, docs/domain.md §6.2]: no "Mẫu số" line.
    "handover": OfficialForm("", "Phiếu giao nhận kết quả giải quyết hồ sơ"),
    # The portal's own acknowledgement of an online submission (T1), not a form of the circular: no "Mẫu số".
    "acknowledgement": OfficialForm("", "Giấy xác nhận nộp hồ sơ trực tuyến"),
}

# Who received the complete dossier: at the counter, online, or when an intake supplement was accepted (T2, T3, T10).
RECEIVE_ACTIONS = ("receive", "receive_counter", "accept_supplement")

# How a withdrawal request reached the desk (event data "request_channel"): channel codes or words.
REQUEST_CHANNELS = {
    "1": "Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả",
    "2": "Trực tuyến",
    "3": "Qua dịch vụ bưu chính công ích",
    "counter": "Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả",
    "online": "Trực tuyến",
    "post": "Qua dịch vụ bưu chính công ích",
    "postal": "Qua dịch vụ bưu chính công ích",
    "national_portal": NATIONAL_PORTAL,
}


class FormUnavailable(ValueError):
    """The dossier lacks what the form states (no apology, no supplement request, no refusal…)."""


# --- Writing values the Vietnamese way ------------------------------------------------------------------


def local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment, VN_TZ) if moment is not None else None


def vn_date(moment: dt.datetime | dt.date | None) -> str:
    """dd/mm/yyyy, local date for a moment."""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = local(moment)
    return moment.strftime("%d/%m/%Y")


def vn_time(moment: dt.datetime | None) -> str:
    """A moment as the forms write it, in Vietnam time: "08 giờ 15 phút, ngày 02/03/2026" (docs/domain.md §6.1a)."""
    if moment is None:
        return ""
    moment = local(moment)
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d/%m/%Y}"


def vn_day(day: dt.date | dt.datetime) -> str:
    """A date written in full as Decree 30/2020 Appendix I wants it: "ngày 05 tháng 02 năm 2026".

    A leading zero only for days 1–9 and for months 1 and 2 ("ngày 02 tháng 3 năm 2026", "ngày 27 tháng 11 năm
    2026"); a moment is taken at its local date (docs/domain.md §6.1a).
    """
    if isinstance(day, dt.datetime):
        day = local(day).date()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_moment(moment: dt.datetime) -> str:
    """A moment with its date written out: "14 giờ 05 phút, ngày 09 tháng 3 năm 2026" (docs/domain.md §6.1a)."""
    moment = local(moment)
    return f"{moment:%H} giờ {moment:%M} phút, {vn_day(moment)}"


def vn_place_date(place: str, day: dt.date | dt.datetime) -> str:
    """The line under the national motto: "Thanh Hóa, ngày 02 tháng 3 năm 2026"."""
    return f"{place or BLANK}, {vn_day(day)}"


def person(user) -> str:
    return str(user) if user is not None else ""


def place_of(agency: Agency | None) -> str:
    while agency is not None:
        if agency.place_name:
            return agency.place_name
        agency = agency.parent
    return ""


def lookup_url(code: str) -> str:
    return f"{settings.SITE_URL}/tra-cuu/?ma={quote(code, safe='')}"


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as an embedded 1-bit PNG (a few ms; no file, no network)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=1)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def duration_text(dossier: Dossier) -> str:
    """The statutory time limit frozen at receipt ("10 ngày", "05 ngày làm việc"), else the version's."""
    if dossier.duration_unit:
        unit, value, parts = dossier.duration_unit, dossier.duration_value, dossier.duration_parts
    else:
        version = dossier.procedure_version
        unit, value, parts = version.time_unit, version.time_value, version.time_parts
    return time_limit_text(SimpleNamespace(time_unit=unit, time_value=value, time_parts=parts, cutoff_time=None))


def request_channel_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    return REQUEST_CHANNELS.get(str(value), str(value))


# --- Loading ----------------------------------------------------------------------------------------------


def _load(dossier: Dossier) -> Dossier:
    """The dossier again with everything the slips print, in one query (plus its small prefetches)."""
    return (
        Dossier.objects.select_related(
            "procedure_version",
            "applicant",
            "representative",
            "receiving_agency__parent",
            "processing_agency__parent",
            "desk__agency__parent",
        )
        .prefetch_related(
            "applicant__identities",
            "documents",
            "fee_lines",
            Prefetch("steps", queryset=DossierStep.objects.select_related("agency", "handler")),
        )
        .get(pk=dossier.pk)
    )


def _desk(dossier: Dossier) -> OneStopDesk | None:
    if dossier.desk is not None:
        return dossier.desk
    return (
        OneStopDesk.objects.select_related("agency__parent")
        .filter(agency=dossier.receiving_agency, is_active=True)
        .order_by("pk")
        .first()
    )


def _last_event(dossier: Dossier, **filters) -> DossierEvent | None:
    return (
        DossierEvent.objects.select_related("actor").filter(dossier=dossier, **filters).order_by("-at", "-id").first()
    )


def _receiver(dossier: Dossier) -> str:
    event = _last_event(dossier, action__in=RECEIVE_ACTIONS)
    return person(event.actor) if event else ""


# --- Shared blocks ------------------------------------------------------------------------------------------


def _desk_header(dossier: Dossier, desk: OneStopDesk | None, *, day: dt.date, numbered: str = "") -> dict:
    """The desk's header; `numbered` names the form whose "Số: 12/HDHS" it carries."""
    agency = desk.agency if desk is not None else dossier.receiving_agency
    return {
        "parent": agency.name.upper(),
        "unit": (desk.name if desk is not None else DESK_UNIT).upper(),
        "number": document_number_text(dossier, numbered) if numbered else "",
        "place_date": vn_place_date(place_of(agency), day),
    }


def _desk_label(dossier: Dossier, desk: OneStopDesk | None) -> str:
    """The desk with its agency: "Bộ phận Tiếp nhận và Trả kết quả — Trung tâm Phục vụ hành chính công …"."""
    agency = desk.agency if desk is not None else dossier.receiving_agency
    return f"{desk.name if desk is not None else DESK_UNIT} — {agency.name}"


def _desk_phone(dossier: Dossier, desk: OneStopDesk | None) -> str:
    if desk is not None and (desk.phone or desk.hotline):
        return desk.phone or desk.hotline
    return (desk.agency if desk is not None else dossier.receiving_agency).phone


def _person_block(applicant) -> dict:
    if applicant is None:
        return {}
    return {
        "name": applicant.name,
        "address": applicant.address,
        "phone": applicant.phone,
        "email": applicant.email,
    }


def _parties(dossier: Dossier) -> dict:
    """Who handed the dossier in (the representative when there is one) and whose dossier it is."""
    submitter = dossier.representative or dossier.applicant
    identities = [f"{i.get_doc_type_display()}: {i.number}" for i in dossier.applicant.identities.all()]
    return {
        "submitter": _person_block(submitter),
        "owner": _person_block(dossier.applicant) if dossier.representative_id else None,
        "identities": identities,
    }


def _request_content(dossier: Dossier) -> str:
    """Nội dung yêu cầu giải quyết: the dossier's summary (trích yếu), else the procedure's name — once."""
    return (dossier.summary or "").strip() or dossier.procedure_version.name


def document_number_text(dossier: Dossier, key: str) -> str:
    """The form's number and symbol as issued (dossiers/numbering.py), "12/HDHS"; "……/HDHS" when it has none."""
    number = DocumentNumber.objects.filter(dossier=dossier, form_key=key).first()
    return number.text if number is not None else f"……/{NUMBERED_FORMS[key].symbol}"


def register_entry_text(entry: RegisterEntry | None) -> str:
    """The receipt's register line, "Vào Sổ theo dõi hồ sơ, Quyển số 1, Số thứ tự 27" (docs/domain.md §6.2);
    blanks to fill by hand for a dossier never entered."""
    book, number = (entry.book, entry.number) if entry is not None else (BLANK, BLANK)
    return str(_("Vào Sổ theo dõi hồ sơ, Quyển số {book}, Số thứ tự {number}").format(book=book, number=number))


def _common(dossier: Dossier) -> dict:
    return {
        "code": dossier.code or "",
        "procedure": dossier.procedure_version.name,
        "applicant_name": dossier.applicant.name,
        "applicant": _person_block(dossier.applicant),
        "request_content": _request_content(dossier),
        "received_at": vn_time(dossier.received_at),
        "received_date": vn_date(dossier.received_at),
        **_parties(dossier),
    }


def _render(key: str, context: dict) -> bytes:
    form = FORM_KEYS[key]
    html = render_to_string(
        f"dossiers/print/{key}.html",
        {"form": form, "form_key": key, "circular": CIRCULAR, **context},
    )
    return html_to_pdf(html)


@functools.cache
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(PRINT_CSS), url_fetcher=pdf_url_fetcher())


def html_to_pdf(html: str) -> bytes:
    """One WeasyPrint pass with the shared print stylesheet; no network: images are data URIs, and the fetcher
    serves only the portal's own static and media files (portal.outbound.pdf_url_fetcher, check 24)."""
    from weasyprint import HTML

    fetcher = pdf_url_fetcher()
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
        stylesheets=[_stylesheet()]
    )


def _vietnamese(render):
    """Legal forms are printed in Vietnamese whatever the reader's language (labels, amounts, durations)."""

    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        with translation.override("vi"):
            return render(*args, **kwargs)

    return wrapper


def _now(now: dt.datetime | None) -> dt.datetime:
    return local(now or timezone.now())


# --- The forms -------------------------------------------------------------------------------------------


@_vietnamese
def render_receipt(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 01: receipt and appointment slip, issued when the desk receives the dossier (T2, T3, T10)."""
    dossier = _load(dossier)
    if dossier.received_at is None:
        raise FormUnavailable(_("Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả."))
    desk = _desk(dossier)
    fee_lines = [{"name": line.name, "amount": vnd(line.amount)} for line in dossier.fee_lines.all()]
    fee_total = sum(line.amount for line in dossier.fee_lines.all())
    hotline = (desk.hotline if desk is not None else "") or _desk_phone(dossier, desk)
    context = {
        "header": _desk_header(dossier, desk, day=local(dossier.received_at).date()),
        **_common(dossier),
        "qr": qr_data_uri(lookup_url(dossier.code or "")) if dossier.code else "",
        "lookup_site": f"{settings.SITE_URL}/tra-cuu/",
        "national_portal": NATIONAL_PORTAL,
        "desk_label": _desk_label(dossier, desk),
        "documents": [
            {"name": doc.name, "form": doc.get_form_display(), "count": doc.count} for doc in dossier.documents.all()
        ],
        "sets_count": dossier.sets_count,
        "duration": duration_text(dossier),
        "due_at": vn_time(dossier.current_due_at),
        "return_method": dossier.get_return_method_display(),
        "fee_mode": dossier.get_fee_mode_display(),
        "fee_lines": fee_lines,
        "fee_total": vnd(fee_total) if fee_lines else "",
        # "Thu trước" at the counter: the payment recorded with the receipt (T16a in the same transaction).
        "fee": _fee_collected(dossier) if dossier.fee_mode == FeeMode.BEFORE else None,
        "receiver": _receiver(dossier),
        "hotline": hotline,
        "register": register_entry_text(RegisterEntry.objects.filter(dossier=dossier).first()),
    }
    return _render("receipt", context)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _named_document(text: str, documents: list) -> Any:
    """The dossier component a free-text item is about: the one whose name, or the longest leading part of its
    name (two words at least, "Tờ khai …" → "Tờ khai"), the item mentions; none when two match equally."""
    words = " " + " ".join(_words(text)) + " "
    best, best_length, tie = None, 1, False
    for document in documents:
        name = _words(document.name)
        length = next((n for n in range(len(name), 1, -1) if f" {' '.join(name[:n])} " in words), 0)
        if length > best_length:
            best, best_length, tie = document, length, False
        elif length == best_length and best is not None:
            tie = True
    return None if tie else best


def _supplement_items(items: Any, documents: list) -> list[dict]:
    """SupplementRequest.items as table rows: dicts with "document" and "content" (optionally "form",
    "quantity"), or plain strings, each one thing to supply or fix. What an item leaves out — which document,
    its form and quantity — is taken from the dossier's component it names."""
    forms = dict(DocumentForm.choices)
    if isinstance(items, dict | str):
        items = [items]
    rows = []
    for item in items or []:
        if not isinstance(item, dict):
            item = {"content": str(item)}
        name = str(item.get("document") or item.get("name") or "")
        content = str(item.get("content") or item.get("note") or "")
        by_name = {document.name.casefold(): document for document in documents}
        component = by_name.get(name.strip().casefold()) if name else _named_document(content, documents)
        form = item.get("form") or (component.form if component is not None else "")
        quantity = item.get("quantity", item.get("count")) or (component.count if component is not None else "")
        rows.append(
            {
                "document": name or (component.name if component is not None else ""),
                "form": str(forms.get(form, form)),
                "quantity": str(quantity),
                "content": content,
            }
        )
    return rows


@_vietnamese
def render_supplement(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 02: the one request to supplement and complete the dossier (Decree 118/2025 Art. 11; T4, T9)."""
    dossier = _load(dossier)
    request = SupplementRequest.objects.select_related("requested_by").filter(dossier=dossier).first()
    if request is None:
        raise FormUnavailable(_("Hồ sơ không có yêu cầu bổ sung, hoàn thiện nên không in được phiếu này."))
    desk = _desk(dossier)
    context = {
        "header": _desk_header(dossier, desk, day=local(request.requested_at).date(), numbered="supplement"),
        **_common(dossier),
        "desk_label": _desk_label(dossier, desk),
        "items": _supplement_items(request.items, list(dossier.documents.all())),
        # At intake the dossier was never received: the desk got it when it was submitted.
        "received_at": vn_time(dossier.received_at or dossier.submitted_at),
        "reason": request.reason,
        "legal_basis": request.legal_basis,
        "stage": request.get_stage_display(),
        "requested_at": vn_time(request.requested_at),
        "deadline": vn_time(request.applicant_deadline),
        "officer": person(request.requested_by),
        "phone": _desk_phone(dossier, desk),
        "lookup_site": f"{settings.SITE_URL}/tra-cuu/",
    }
    return _render("supplement", context)


@_vietnamese
def render_refusal(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 03: refusal to receive and resolve, with the specific reasons and legal basis (T5)."""
    dossier = _load(dossier)
    event = _last_event(dossier, to_status=Status.REFUSED)
    if event is None:
        raise FormUnavailable(_("Hồ sơ chưa bị từ chối tiếp nhận nên không in được Phiếu từ chối."))
    desk = _desk(dossier)
    data = event.data or {}
    context = {
        "header": _desk_header(dossier, desk, day=local(event.at).date(), numbered="refusal"),
        **_common(dossier),
        "desk_label": _desk_label(dossier, desk),
        "reason": event.note,
        "legal_basis": str(data.get("legal_basis") or ""),
        "refused_at": vn_time(event.at),
        "officer": person(event.actor),
    }
    return _render("refusal", context)


@_vietnamese
def render_apology(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 04: the processing body's apology with one new return time (Decree 297/2025 Art. 6(5); T17)."""
    dossier = _load(dossier)
    apology = Apology.objects.select_related("signer__staff_profile").filter(dossier=dossier).first()
    if apology is None:
        raise FormUnavailable(_("Hồ sơ không có văn bản xin lỗi và hẹn lại ngày trả kết quả."))
    body = dossier.processing_agency or dossier.receiving_agency
    desk = _desk(dossier)
    profile = getattr(apology.signer, "staff_profile", None) if apology.signer else None
    if dossier.return_method == ReturnMethod.COUNTER:
        place = _desk_label(dossier, desk)
        address = (desk.address if desk is not None else "") or dossier.receiving_agency.address
        if address:
            place = f"{place}, {address}"
    else:
        place = dossier.get_return_method_display()
    # The desk forwards the apology and hands over the result (docs/domain.md §5.10).
    recipients = [f"Như trên (Ông/Bà {dossier.applicant.name})"]
    if body.parent is not None:
        recipients.append(f"{body.parent.name} (để báo cáo)")
    recipients.append(f"{_desk_label(dossier, desk)} (để phối hợp trả kết quả)")
    context = {
        "header": {
            "parent": (body.parent.name if body.parent else "").upper(),
            "unit": body.name.upper(),
            "number": document_number_text(dossier, "apology"),
            "place_date": vn_place_date(place_of(body), local(apology.issued_at).date()),
        },
        **_common(dossier),
        "body": body.name,
        "original_due_at": vn_time(dossier.original_due_at or dossier.current_due_at),
        "reason": apology.reason,
        "new_due_at": vn_time(apology.new_due_at),
        "place": place,
        "signer": person(apology.signer),
        "signer_title": (profile.title if profile and profile.title else "Thủ trưởng cơ quan").upper(),
        "recipients": recipients,
    }
    return _render("apology", context)


@_vietnamese
def render_stop_notice(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 05: processing stopped at the applicant's request, with the fee refund (Circular 03/2025 Art. 7;
    Decree 118/2025 Art. 21; T14)."""
    dossier = _load(dossier)
    event = _last_event(dossier, to_status=Status.WITHDRAWN)
    if event is None:
        raise FormUnavailable(_("Hồ sơ không có yêu cầu dừng giải quyết nên không in được thông báo này."))
    desk = _desk(dossier)
    data = event.data or {}
    refunded = data.get("fee_refunded")
    amount = data.get("refund_amount")
    context = {
        "header": _desk_header(dossier, desk, day=local(event.at).date(), numbered="stop_notice"),
        **_common(dossier),
        "desk_label": _desk_label(dossier, desk),
        "requested_on": vn_date(event.at),
        "requested_at": vn_time(event.at),
        "request_channel": request_channel_text(data.get("request_channel")),
        "note": event.note,
        "fee_refunded": None if refunded is None else bool(refunded),
        "refund_amount": vnd(amount) if amount not in (None, "") else "",
        "refund_reason": str(data.get("refund_reason") or ""),
        "officer": person(event.actor) or _receiver(dossier),
    }
    return _render("stop_notice", context)


@_vietnamese
def render_acknowledgement(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """The citizen's proof of an online submission (T1): code, moment, documents sent and the acceptance window
    (docs/wizard.md). Issued by the portal on submission, before any desk has looked at the dossier."""
    dossier = _load(dossier)
    if dossier.submitted_at is None or dossier.channel != Channel.ONLINE:
        raise FormUnavailable(_("Hồ sơ không được nộp trực tuyến nên không có giấy xác nhận nộp hồ sơ trực tuyến."))
    desk = _desk(dossier)
    fee_total = sum(line.amount for line in dossier.fee_lines.all())
    context = {
        "header": _desk_header(dossier, desk, day=local(dossier.submitted_at).date()),
        **_common(dossier),
        "submitted_at": vn_time(dossier.submitted_at),
        "acceptance_due_at": vn_time(dossier.acceptance_due_at),
        "receiving_agency": dossier.receiving_agency.name,
        "documents": [
            {"name": doc.name, "files": [f.original_name for f in doc.files.all()]} for doc in dossier.documents.all()
        ],
        "return_method": dossier.get_return_method_display(),
        "delivery_address": dossier.delivery_address,
        "fee_total": vnd(fee_total) if fee_total else "",
        "qr": qr_data_uri(lookup_url(dossier.code or "")) if dossier.code else "",
        "lookup_site": f"{settings.SITE_URL}/tra-cuu/",
    }
    return _render("acknowledgement", context)


def _is_intake(step: DossierStep, dossier: Dossier) -> bool:
    """The desk's own step opened at receipt: the dossier has not been handed to anyone yet."""
    received = dossier.received_at
    return step.agency_id == dossier.receiving_agency_id and received is not None and step.started_at <= received


def _at(moment: dt.datetime) -> dict:
    """A handover moment in two parts, "14 giờ 00 phút," and "ngày 02/03/2026", to break the line at the comma."""
    time, day = vn_time(moment).split(", ", 1)
    return {"at_time": time + ",", "at_day": day}


def _handover_blocks(dossier: Dossier, desk: OneStopDesk | None, steps: list[DossierStep]) -> list[dict]:
    """One block per handover (docs/domain.md §6.2): the first from the desk to the processing body, one per step
    change after it, and the last back to the desk once a result (or a stop) exists.

    The desk's own intake step (opened at receipt, before the dossier was forwarded) is no handover: the desk
    does not hand the dossier to itself. A later step at the receiving agency, when another body processes the
    dossier, is the desk taking the result back.
    """
    desk_unit = desk.name if desk is not None else DESK_UNIT
    desk_agency = desk.agency.name if desk is not None else dossier.receiving_agency.name
    forwarded = _last_event(dossier, action="forward")
    forwarded_at = forwarded.at if forwarded is not None else None
    if forwarded_at is None:
        # Data without a forward event: the first step after the desk's intake marks the handover.
        forwarded_at = next((s.started_at for s in steps if not _is_intake(s, dossier)), None)
    if forwarded_at is None:
        return []
    handled_elsewhere = (dossier.processing_agency_id or dossier.receiving_agency_id) != dossier.receiving_agency_id
    receiver = _receiver(dossier)
    previous = f"{desk_unit} ({receiver})" if receiver else desk_unit
    blocks = []
    for step in (s for s in steps if s.started_at >= forwarded_at):
        back_at_desk = handled_elsewhere and step.agency_id == dossier.receiving_agency_id
        holder = desk_unit if back_at_desk else step.agency.name
        taker = holder + (f" ({person(step.handler)})" if step.handler else "")
        blocks.append(
            {
                "agency": desk_agency if back_at_desk else step.agency.name,
                "giver": previous,
                "receiver": taker,
                **_at(step.started_at),
                "outcome": step.get_outcome_display() if step.outcome else "",
                "note": f"{step.name}; hạn bước: {vn_date(step.due_at)}" if step.due_at else step.name,
                "back": back_at_desk,
            }
        )
        previous = taker
    if dossier.completed_at and blocks and not blocks[-1]["back"]:
        blocks.append(
            {
                "agency": desk_agency,
                "giver": previous,
                "receiver": desk_unit,
                **_at(dossier.completed_at),
                "outcome": dossier.get_outcome_display() if dossier.outcome else "",
                "note": _("Trả kết quả về Bộ phận Tiếp nhận và Trả kết quả"),
                "back": True,
            }
        )
    return blocks


@_vietnamese
def render_control_sheet(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 06: who handed the dossier to whom and when, one block per handover; first block desk → processing
    body, last block back to the desk once a result exists (T6, T7, T15)."""
    return _render("control_sheet", control_sheet_context(dossier, now=now))


def control_sheet_context(dossier: Dossier, *, now: dt.datetime | None = None) -> dict:
    """What the control sheet states, as plain strings: the PDF and the desk's screen (desk:control-sheet) both
    show exactly this. A fixed number of queries, whatever the number of steps."""
    dossier = _load(dossier)
    desk = _desk(dossier)
    processing = dossier.processing_agency or dossier.receiving_agency
    steps = list(dossier.steps.all())
    others = []
    for step in steps:
        if step.agency_id not in (processing.pk, dossier.receiving_agency_id) and step.agency.name not in others:
            others.append(step.agency.name)
    return {
        "header": _desk_header(dossier, desk, day=_now(now).date()),
        **_common(dossier),
        "due_at": vn_time(dossier.current_due_at),
        "processing": processing.name,
        "coordinating": "; ".join(others) or dossier.procedure_version.coordinating_agency,
        "blocks": _handover_blocks(dossier, desk, steps),
    }


def _entry(dossier: Dossier) -> RegisterEntry | None:
    try:
        return dossier.register_entry
    except RegisterEntry.DoesNotExist:
        return None


def register_row(dossier: Dossier) -> dict:
    """One line of the register: TT is the dossier's number in the desk's book (blank when never entered)."""
    # Prefetched, ordered by (order, id); the first after the desk's intake step is the handover to the body.
    forwarded = next((s for s in dossier.steps.all() if not _is_intake(s, dossier)), None)
    entry = _entry(dossier)
    applicant = dossier.applicant
    notes = []
    if dossier.status != Status.RETURNED:
        notes.append(str(dossier.get_status_display()))
    if dossier.outcome:
        notes.append(str(dossier.get_outcome_display()))
    elif dossier.is_overdue:
        notes.append("Quá hạn")
    if dossier.rescheduled_due_at:
        notes.append(f"Hẹn lại: {vn_date(dossier.rescheduled_due_at)}")
    return {
        "number": entry.number if entry is not None else "",
        "book": entry.book if entry is not None else None,
        "code": dossier.code or "",
        "procedure": dossier.procedure_version.name,
        "sets": dossier.sets_count,
        "applicant": applicant.name,
        "address": applicant.address,
        "phone": applicant.phone,
        "processing": (dossier.processing_agency or dossier.receiving_agency).name,
        "received_at": vn_time(dossier.received_at),
        "due_at": vn_time(dossier.current_due_at),
        "forwarded_at": vn_time(forwarded.started_at) if forwarded is not None else "",
        "completed_at": vn_time(dossier.completed_at),
        "returned_at": vn_time(dossier.returned_at),
        "note": "; ".join(notes),
    }


def register_dossiers(desk: OneStopDesk, period: tuple[dt.date, dt.date]):
    """The register's dossiers: received at `desk` between two local dates, inclusive, in the order of receipt,
    with what a row shows — one query for the rows and one for their steps, whatever their number (the screen
    slices it into pages). Dossiers not tied to a desk count for the desk of their receiving agency."""
    date_from, date_to = period
    if date_from > date_to:
        raise FormUnavailable(_("Khoảng thời gian không hợp lệ: ngày bắt đầu sau ngày kết thúc."))
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=VN_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    return (
        Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(Q(desk=desk) | Q(desk__isnull=True, receiving_agency_id=desk.agency_id))
        .select_related("procedure_version", "applicant", "receiving_agency", "processing_agency", "register_entry")
        .prefetch_related(Prefetch("steps", queryset=DossierStep.objects.only("dossier", "agency", "started_at")))
        .order_by("received_at", "id")
    )


@_vietnamese
def render_register(desk: OneStopDesk, period: tuple[dt.date, dt.date], *, now: dt.datetime | None = None) -> bytes:
    """Mẫu 07: the desk's tracking register for the dossiers received between two local dates, inclusive."""
    date_from, date_to = period
    agency = desk.agency
    rows = [register_row(d) for d in register_dossiers(desk, period)]
    books = sorted({row["book"] for row in rows if row["book"] is not None})
    context = {
        "header": {
            "parent": agency.name.upper(),
            "unit": desk.name.upper(),
            "number": "",
            "place_date": vn_place_date(place_of(agency), _now(now).date()),
        },
        "desk_label": f"{desk.name} — {agency.name}",
        "date_from": vn_date(date_from),
        "date_to": vn_date(date_to),
        "columns": range(1, 13),
        "books": _("Quyển số {books}").format(books=", ".join(map(str, books))) if books else "",
        "rows": rows,
    }
    return _render("register", context)


def _fee_collected(dossier: Dossier) -> dict | None:
    """The fee collected at the counter (T16a), from its event: amount, how it was paid, the receipt number."""
    event = _last_event(dossier, action__in=handover.FEE_ACTIONS)
    if event is None:
        return None
    data = event.data or {}
    method = data.get("payment_method", "")
    return {
        "amount": vnd(data.get("amount")),
        "method": handover.fee_method_label(method),
        "receipt_number": data.get("receipt_number", ""),
    }


@_vietnamese
def render_handover(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """The result handover record (T16): the result, who received it with the ID checked, the originals given back,
    the fee collected afterwards, the postal delivery, the moment, and both signatures (docs/domain.md §4.1 T16)."""
    dossier = _load(dossier)
    handover = (
        ResultHandover.objects.select_related("handed_over_by")
        .filter(dossier=dossier)
        .order_by("-handed_over_at", "-id")
        .first()
    )
    if handover is None or dossier.status != Status.RETURNED:
        raise FormUnavailable(_("Hồ sơ chưa được trả kết quả nên chưa có phiếu giao nhận kết quả."))
    desk = _desk(dossier)
    context = {
        "header": _desk_header(dossier, desk, day=local(handover.handed_over_at).date()),
        **_common(dossier),
        "desk_label": _desk_label(dossier, desk),
        "result": {
            "type": dossier.result_type or dossier.procedure_version.result,
            "number": dossier.result_number,
            "date": vn_date(dossier.result_date),
            "signer": dossier.result_signer,
        },
        "due_at": vn_time(dossier.current_due_at),
        "outcome": dossier.get_outcome_display() if dossier.outcome else "",
        "method": handover.get_method_display(),
        "is_counter": handover.method == ReturnMethod.COUNTER,
        "is_post": handover.method == ReturnMethod.POST,
        "receiver": handover.receiver,
        "receiver_kind": handover.get_receiver_kind_display() if handover.receiver_kind else "",
        "receiver_id_number": handover.receiver_id_number,
        "id_checked": handover.id_checked,
        "originals": handover.originals_returned,
        "fee_mode": dossier.get_fee_mode_display(),
        "fee": _fee_collected(dossier),
        "postal_operator": handover.postal_operator,
        "tracking_number": handover.tracking_number,
        "posted_at": vn_time(handover.posted_at),
        "delivered_on": vn_date(handover.delivered_on),
        "handed_over_at": vn_moment(handover.handed_over_at),
        "giver": person(handover.handed_over_by),
        "note": handover.note,
    }
    return _render("handover", context)


# Not one of Circular 03/2025's forms: the result document itself, generated when the head uploads no signed PDF.
RESULT_FORM = OfficialForm("", "Kết quả giải quyết thủ tục hành chính", page="A4 portrait")
RESULT_SIGNER_TITLE = "Thủ trưởng cơ quan"


@_vietnamese
def render_result(
    dossier: Dossier,
    *,
    number: str,
    result_date: dt.date,
    signer: str,
    result_type: str = "",
    signer_title: str = "",
) -> bytes:
    """The result of a dossier as a PDF from the portal's generic template (T15, docs/domain.md §4.1): the issuing
    body with its number and symbol, place and date, the procedure's result text, the applicant, the dossier code,
    the QR code and address of its public verification page, and the signer. Called by the engine inside the
    issuing transaction, before the file is stored: the printed token names the dossier, signed with its code
    (dossiers/verification.py), since the file's hash and row do not exist yet."""
    from dossiers.verification import dossier_token, verify_url

    dossier = _load(dossier)
    verify = verify_url(dossier_token(dossier)) if dossier.code else ""
    body = dossier.processing_agency or dossier.receiving_agency
    desk = _desk(dossier)
    result = (dossier.procedure_version.result or "").strip() or result_type or dossier.procedure_version.name
    context = {
        "form": RESULT_FORM,
        "form_key": "result",
        "header": {
            "parent": (body.parent.name if body.parent else "").upper(),
            "unit": body.name.upper(),
            "number": number,
            "place_date": vn_place_date(place_of(body), result_date),
        },
        **_common(dossier),
        "title": RESULT_FORM.title,
        "result_type": result_type if result_type and result_type != result else "",
        "result": result,
        "number": number,
        "result_date": vn_date(result_date),
        "body": body.name,
        "desk_label": _desk_label(dossier, desk),
        "qr": qr_data_uri(verify) if verify else "",
        "verify_url": verify,
        "lookup_site": f"{settings.SITE_URL}/tra-cuu/",
        "signer": signer,
        "signer_title": (signer_title or RESULT_SIGNER_TITLE).upper(),
    }
    return html_to_pdf(render_to_string("dossiers/print/result.html", context))


_DOSSIER_FORMS = {
    "receipt": render_receipt,
    "supplement": render_supplement,
    "refusal": render_refusal,
    "apology": render_apology,
    "stop_notice": render_stop_notice,
    "control_sheet": render_control_sheet,
    "handover": render_handover,
    "acknowledgement": render_acknowledgement,
}


def render_form(
    key: str,
    *,
    dossier: Dossier | None = None,
    desk: OneStopDesk | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The PDF of form `key` (see FORM_KEYS), in Vietnamese; FormUnavailable when its data is missing.

    The register takes `desk` and `period` (local dates, inclusive); every other form takes `dossier`. A slip is
    dated by its own moment (receipt, request, refusal, apology, withdrawal); `now` dates the control sheet and
    the register (default: the present moment).
    """
    if key not in FORM_KEYS:
        raise ValueError(f"Unknown form key {key!r}; expected one of {', '.join(FORM_KEYS)}")
    if key == "register":
        if desk is None or period is None:
            raise TypeError("The register needs desk= and period=(date_from, date_to).")
        return render_register(desk, period, now=now)
    if dossier is None:
        raise TypeError(f"Form {key!r} needs dossier=.")
    return _DOSSIER_FORMS[key](dossier, now=now)
