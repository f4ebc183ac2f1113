"""The walk-in intake form: applicant, document checklist with scans, the fee lines that apply and the fee paid now
("thu trước"), return method, and the desk's outcome — receive (T2), ask for a supplement (T4) or refuse (T5)
(docs/domain.md §4.1).

Labels come from the transition's declared input (`workflow.TRANSITIONS["receive_counter"].fields`); the form only
parses what was typed. Scans are checked here with the same rules `dossiers/files.py` applies when it stores them, so a
refused file refuses the whole intake before anything is written.
"""

from __future__ import annotations

import copy
import re

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from desk.forms_outcome import RECEIVE, REFUSE, OutcomeForm
from dossiers import files as dossier_files
from dossiers import workflow
from dossiers.forms import action_form_class
from dossiers.models import ApplicantKind, Channel, DocumentForm, FeeMode, IdDocumentType, ReturnMethod
from dossiers.workflow import FeePaymentMethod

PERSONAL_ID_RE = re.compile(r"^\d{12}$")
T2_LABELS = {field.name: field.label for field in workflow.TRANSITIONS["receive_counter"].fields}
CHANNEL_CHOICES = next(f.choices for f in workflow.TRANSITIONS["receive_counter"].fields if f.name == "channel")
# The fee paid at the counter when it is collected before ("thu trước"): the engine's collect_fee input (T16a).
PAYMENT_FIELDS = ("amount", "payment_method", "receipt_number")
_COLLECT_FEE = action_form_class(workflow.TRANSITIONS["collect_fee"]).base_fields
CHANNEL_HELP = _(
    "Hồ sơ giấy nộp tại quầy là hồ sơ trực tiếp, kể cả khi cán bộ nhập thông tin giúp người nộp. Hồ sơ nộp "
    "trực tuyến (người nộp tự nộp hoặc được hỗ trợ nộp bằng tài khoản của mình) được tiếp nhận tại hàng chờ hồ sơ "
    "trực tuyến."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several scans for one document (the Django documentation's recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def personal_id_check(doc_type: str, number: str) -> str | None:
    """The error for an identity number of that type, else None."""
    if doc_type == IdDocumentType.PERSONAL_ID and not PERSONAL_ID_RE.match(number):
        return _("Số định danh cá nhân gồm đúng 12 chữ số.")
    return None


class ApplicantLookupForm(forms.Form):
    """Step 2 starts with the ID number: an applicant already known is pre-filled (a GET that reloads the page)."""

    id_type = forms.ChoiceField(label=_("Loại giấy tờ"), choices=IdDocumentType.choices)
    id_number = forms.CharField(label=_("Số giấy tờ"), max_length=40)


class IntakeForm(OutcomeForm):
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    id_type = forms.ChoiceField(
        label=_("Loại giấy tờ"), choices=IdDocumentType.choices, initial=IdDocumentType.PERSONAL_ID
    )
    id_number = forms.CharField(
        label=_("Số giấy tờ"),
        max_length=40,
        error_messages={"required": _("Cần nhập số giấy tờ của chủ hồ sơ.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    kind = forms.TypedChoiceField(
        label=_("Loại đối tượng"), choices=ApplicantKind.choices, coerce=int, initial=ApplicantKind.INDIVIDUAL
    )
    name = forms.CharField(
        label=_("Họ tên / tên tổ chức"),
        max_length=255,
        error_messages={"required": _("Cần nhập họ tên hoặc tên tổ chức của chủ hồ sơ.")},
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")}
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    representative_name = forms.CharField(label=_("Họ tên người đại diện"), max_length=255, required=False)
    representative_id = forms.CharField(label=_("Số định danh người đại diện"), max_length=40, required=False)

    fee_mode = forms.ChoiceField(label=T2_LABELS["fee_mode"], choices=FeeMode.choices, initial=FeeMode.BEFORE)
    return_method = forms.ChoiceField(
        label=T2_LABELS["return_method"], choices=ReturnMethod.choices, initial=ReturnMethod.COUNTER
    )
    channel = forms.TypedChoiceField(
        label=T2_LABELS["channel"], choices=CHANNEL_CHOICES, coerce=int, initial=Channel.COUNTER, help_text=CHANNEL_HELP
    )
    summary = forms.CharField(
        label=T2_LABELS["summary"],
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Nội dung yêu cầu giải quyết không quá 1000 ký tự.")},
    )
    sets_count = forms.IntegerField(
        label=T2_LABELS["sets_count"],
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={"min_value": _("Số lượng hồ sơ ít nhất là 1 bộ.")},
    )

    def __init__(self, *args, required_documents=(), fees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.required_documents = list(required_documents)
        self._fee_fields(list(fees))
        self.document_rows = []
        for document in self.required_documents:
            prefix = f"doc_{document.pk}_"
            self.fields[prefix + "checked"] = forms.BooleanField(label=_("Đã nhận"), required=False)
            self.fields[prefix + "form"] = forms.ChoiceField(
                label=_("Hình thức"),
                choices=DocumentForm.choices,
                initial=DocumentForm.ORIGINAL if document.originals else DocumentForm.COPY,
            )
            self.fields[prefix + "count"] = forms.IntegerField(
                label=_("Số bản"), min_value=1, max_value=99, initial=max(1, document.originals + document.copies)
            )
            self.fields[prefix + "files"] = MultipleFileField(label=_("Bản quét"))
            self.fields[prefix + "files"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.docx"
            self.document_rows.append(
                {
                    "document": document,
                    "checked": self[prefix + "checked"],
                    "form": self[prefix + "form"],
                    "count": self[prefix + "count"],
                    "files": self[prefix + "files"],
                }
            )
        self.add_missing_fields(self.required_documents, mandatory=lambda document: document.mandatory)

    def _fee_fields(self, fees: list) -> None:
        """The version's fee lines to tick and the payment collected now ("thu trước"); a procedure without a fee to
        pay (no line, or only lines of 0 đồng) gets neither, and its fee mode is "no fee".

        A version's lines are not all due together: the catalogue lists alternatives (on time / late, at the counter /
        online, a reduced rate) and optional items (copies), so the desk ticks the lines that apply. The first line,
        the catalogue's main fee, starts ticked.
        """
        self.fee_lines = fees
        self.has_fee = any(fee.amount for fee in fees)
        if not self.has_fee:
            self.fields["fee_mode"].widget = forms.HiddenInput()
            self.fields["fee_mode"].initial = FeeMode.NONE
            return
        self.fields["fee_mode"].choices = [(k, v) for k, v in FeeMode.choices if k != FeeMode.NONE]
        self.fields["fees"] = forms.TypedMultipleChoiceField(
            label=T2_LABELS["fees"],
            help_text=workflow.TRANSITIONS["receive_counter"].field("fees").help_text,
            choices=[(fee.pk, fee.name) for fee in fees],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[fees[0].pk],
        )
        for name in PAYMENT_FIELDS:
            field = copy.deepcopy(_COLLECT_FEE[name])
            field.required = False
            self.fields[name] = field
        self.fields["payment_method"].widget = forms.RadioSelect()
        self.fields["payment_method"].choices = FeePaymentMethod.choices
        self.fields["payment_method"].initial = FeePaymentMethod.CASH
        self.fields["amount"].initial = fees[0].amount
        self.fields["receipt_number"].widget.attrs.update(autocomplete="off")

    def _chosen_fee_ids(self) -> set[int]:
        """The ticked lines: as posted (bound) or as first shown."""
        if self.is_bound:
            values = self.data.getlist("fees") if hasattr(self.data, "getlist") else self.data.get("fees", [])
        else:
            values = self.fields["fees"].initial if "fees" in self.fields else []
        return {int(v) for v in values if str(v).isdigit()}

    @property
    def fee_rows(self) -> list[dict]:
        chosen = self._chosen_fee_ids()
        return [{"fee": fee, "checked": fee.pk in chosen} for fee in self.fee_lines]

    @property
    def fee_total(self) -> int:
        """The amount due for the ticked lines, in đồng."""
        chosen = self._chosen_fee_ids()
        return sum(fee.amount for fee in self.fee_lines if fee.pk in chosen)

    @property
    def collects_now(self) -> bool:
        """Whether "Tiếp nhận" also records the payment: fee collected before, with something to pay."""
        mode = self["fee_mode"].value() if self.has_fee else FeeMode.NONE
        return self.has_fee and self.outcome == RECEIVE and mode == FeeMode.BEFORE and self.fee_total > 0

    def chosen_fees(self) -> list[int] | None:
        """The engine's `fees` input: the ticked lines, or None (all lines) for a procedure with nothing to pay."""
        return self.cleaned_data.get("fees", []) if self.has_fee else None

    def payment(self) -> dict | None:
        """The engine's `collect_fee` input when the fee is collected now, else None."""
        if not self.collects_now:
            return None
        return {name: self.cleaned_data[name] for name in PAYMENT_FIELDS}

    def _clean_payment(self, data: dict) -> None:
        for name in PAYMENT_FIELDS:
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.add_error(name, format_lazy(_("Cần nhập “{label}”."), label=self.fields[name].label))

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip()

    def clean(self):
        data = super().clean()
        error = personal_id_check(data.get("id_type", ""), data.get("id_number", ""))
        if error and "id_number" in data:
            self.add_error("id_number", error)
        rep_name = (data.get("representative_name") or "").strip()
        rep_id = (data.get("representative_id") or "").strip()
        if rep_id and not rep_name:
            self.add_error("representative_name", _("Cần nhập họ tên người đại diện."))
        if rep_id and not PERSONAL_ID_RE.match(rep_id):
            self.add_error("representative_id", _("Số định danh cá nhân gồm đúng 12 chữ số."))
        # The dossier has no address of its own: the post goes to the applicant's (the engine keeps no other).
        if (
            self.outcome != REFUSE
            and data.get("return_method") == ReturnMethod.POST
            and not (data.get("address") or "").strip()
        ):
            self.add_error("address", _("Trả kết quả qua bưu chính: cần nhập địa chỉ của chủ hồ sơ."))
        if self.collects_now:
            self._clean_payment(data)
        if self.outcome != RECEIVE:
            self.clean_outcome_input(data, self._missing_items(data))
        elif self.required_documents and not any(data.get(f"doc_{d.pk}_checked") for d in self.required_documents):
            self.add_error(None, _("Chưa đánh dấu thành phần hồ sơ nào đã nhận."))
        else:
            # T2 receives a complete dossier only (docs/domain.md §4.1); an incomplete one is for "Yêu cầu bổ sung".
            missing = [d for d in self.required_documents if d.mandatory and not data.get(f"doc_{d.pk}_checked")]
            for document in missing:
                self.add_error(f"doc_{document.pk}_checked", _("Giấy tờ bắt buộc chưa được đánh dấu đã nhận."))
            if missing:
                self.add_error(
                    None,
                    _(
                        "Hồ sơ chưa đủ thành phần bắt buộc ({count} giấy tờ): chỉ tiếp nhận hồ sơ đầy đủ; hồ sơ chưa "
                        "đầy đủ thì chọn “Hồ sơ chưa đầy đủ” để yêu cầu bổ sung."
                    ).format(count=len(missing)),
                )
        self._check_scans(data)
        return data

    def _missing_items(self, data) -> list[dict]:
        """The components not ticked, as the supplement request's items (form and count as entered on the row)."""
        items = [
            self.missing_item(
                d,
                mandatory=d.mandatory,
                form=data.get(f"doc_{d.pk}_form") or "",
                count=data.get(f"doc_{d.pk}_count") or max(1, d.originals + d.copies),
            )
            for d in self.required_documents
            if not data.get(f"doc_{d.pk}_checked")
        ]
        return [item for item in items if item is not None]

    def _check_scans(self, data) -> None:
        """Each scan by content and size, then all of them against the dossier's total (dossiers/files.py rules)."""
        total = 0
        for document in self.required_documents:
            key = f"doc_{document.pk}_files"
            for upload in data.get(key) or []:
                name = dossier_files.original_name_clean(getattr(upload, "name", ""))
                try:
                    _type, size, _digest = dossier_files.upload_check(upload, name)
                except dossier_files.FileRejected as rejected:
                    self.add_error(key, rejected.messages)
                    continue
                total += size
        limit = settings.DOSSIER_MAX_TOTAL_BYTES
        if total > limit:
            self.add_error(
                None,
                _("Tổng dung lượng các bản quét vượt quá {limit} MB cho một hồ sơ.").format(
                    limit=dossier_files.mb_text(limit)
                ),
            )

    def documents_input(self) -> list[dict]:
        """The checklist as `dossier_receive_counter(documents=...)` takes it."""
        return [
            {
                "required_document_id": d.pk,
                "checked": bool(self.cleaned_data.get(f"doc_{d.pk}_checked")),
                "form": self.cleaned_data[f"doc_{d.pk}_form"],
                "count": self.cleaned_data[f"doc_{d.pk}_count"],
            }
            for d in self.required_documents
        ]

    def scans(self) -> list[tuple[int, object]]:
        """(required document id, upload) for every scan, in checklist order."""
        return [(d.pk, u) for d in self.required_documents for u in self.cleaned_data.get(f"doc_{d.pk}_files") or []]
