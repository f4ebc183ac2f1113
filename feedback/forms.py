"""The rating form, the feedback form and the staff's answer: parse and check the input, in Vietnamese; the rules
live in `feedback.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from dossiers.models import Dossier
from feedback import scoring
from feedback.models import Feedback, Satisfaction, Subject
from feedback.services import FeedbackInput, RatingAnswers
from procedures.models import Procedure

TITLE_MAX = Feedback._meta.get_field("title").max_length
CONTENT_MAX = Feedback._meta.get_field("content").max_length
COMMENT_MAX = 2000


def _choices(answers: dict) -> list[tuple[str, str]]:
    return [(value, label) for value, (label, _points) in answers.items()]


def _required(message) -> dict:
    return {"required": message, "invalid_choice": message}


# Django fills in the limit and the length typed.
TOO_LONG = _("Tối đa %(limit_value)s ký tự (bạn đã nhập %(show_value)s ký tự).")


class RatingForm(forms.Form):
    """The applicant's answers: the three indices only they know, the two questions and a comment."""

    contacts = forms.ChoiceField(
        label=_("Bạn đã phải liên hệ với nơi tiếp nhận bao nhiêu lần để bổ sung, hoàn thiện hồ sơ?"),
        help_text=_("Không tính những lần do bạn nộp thiếu hoặc sai giấy tờ."),
        choices=_choices(scoring.CONTACTS),
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn số lần bạn đã phải liên hệ.")),
    )
    bodies = forms.ChoiceField(
        label=_("Bạn đã phải liên hệ với những cơ quan, đơn vị nào để hoàn thiện hồ sơ?"),
        choices=_choices(scoring.BODIES),
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn số cơ quan, đơn vị bạn đã phải liên hệ.")),
    )
    attitude = forms.ChoiceField(
        label=_("Thái độ của cán bộ khi hướng dẫn, tiếp nhận và giải quyết hồ sơ"),
        choices=_choices(scoring.ATTITUDE),
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn nhận xét về thái độ của cán bộ.")),
    )
    ease = forms.ChoiceField(
        label=_("Thực hiện thủ tục này có dễ dàng không?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn mức độ dễ dàng.")),
    )
    overall = forms.ChoiceField(
        label=_("Nhìn chung, bạn có hài lòng với việc giải quyết hồ sơ không?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn mức độ hài lòng chung.")),
    )
    comment = forms.CharField(
        label=_("Góp ý thêm (không bắt buộc)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        error_messages={"max_length": TOO_LONG},
    )

    def answers(self) -> RatingAnswers:
        data = self.cleaned_data
        return RatingAnswers(
            contacts=data["contacts"],
            bodies=data["bodies"],
            attitude=data["attitude"],
            ease=data["ease"],
            overall=data["overall"],
            comment=data["comment"].strip(),
        )


class FeedbackForm(forms.Form):
    """A citizen's feedback: about a procedure (by its code) or an agency, optionally about a dossier of theirs.

    The agency that must answer is the dossier's, else the procedure's only agency, else the one chosen.
    """

    subject = forms.ChoiceField(
        label=_("Bạn phản ánh, kiến nghị về"),
        choices=Subject.choices,
        initial=Subject.PROCEDURE,
        widget=forms.RadioSelect,
        error_messages=_required(_("Vui lòng chọn nội dung phản ánh, kiến nghị về thủ tục hay về cơ quan.")),
    )
    procedure_code = forms.CharField(
        label=_("Mã thủ tục hành chính"),
        required=False,
        max_length=40,
        help_text=_("Ví dụ 1.001193. Chưa biết mã? Tìm thủ tục ở ô tìm kiếm phía trên."),
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận, xử lý"),
        queryset=Agency.objects.active().order_by("name"),
        required=False,
        empty_label=_("— Chọn cơ quan —"),
        help_text=_("Không bắt buộc khi bạn nhập mã hồ sơ hoặc thủ tục chỉ do một cơ quan giải quyết."),
        error_messages={"invalid_choice": _("Cơ quan đã chọn không hợp lệ.")},
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ của bạn (nếu có)"),
        required=False,
        max_length=64,
    )
    title = forms.CharField(
        label=_("Tiêu đề"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Vui lòng nhập tiêu đề."), "max_length": TOO_LONG},
    )
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Vui lòng nhập nội dung phản ánh, kiến nghị."),
            "max_length": TOO_LONG,
        },
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.procedure: Procedure | None = None
        self.dossier: Dossier | None = None

    def clean_procedure_code(self) -> str:
        code = self.cleaned_data["procedure_code"].strip()
        if code:
            self.procedure = (
                Procedure.objects.in_force()
                .select_related("current_version")
                .prefetch_related("current_version__agencies")
                .filter(code=code)
                .first()
            )
            if self.procedure is None:
                raise forms.ValidationError(_("Không tìm thấy thủ tục hành chính có mã {code}.").format(code=code))
        return code

    def clean_dossier_code(self) -> str:
        code = self.cleaned_data["dossier_code"].strip()
        if code:
            # Only the citizen's own dossiers: someone else's code gets the same answer as an unknown one.
            self.dossier = (
                Dossier.objects.filter(owner=self.user, code=code)
                .select_related("processing_agency", "receiving_agency", "procedure_version__procedure")
                .first()
            )
            if self.dossier is None:
                raise forms.ValidationError(_("Không tìm thấy hồ sơ của bạn với mã này."))
        return code

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["subject"] == Subject.PROCEDURE and self.procedure is None:
            if self.dossier is not None:
                self.procedure = self.dossier.procedure_version.procedure
            else:
                self.add_error("procedure_code", _("Vui lòng nhập mã thủ tục hành chính bạn muốn phản ánh."))
                return data
        data["agency"] = self._agency(data.get("agency"))
        if data["agency"] is None:
            self.add_error("agency", _("Vui lòng chọn cơ quan tiếp nhận, xử lý phản ánh, kiến nghị."))
        return data

    def _agency(self, chosen: Agency | None) -> Agency | None:
        if self.dossier is not None:
            return self.dossier.processing_agency or self.dossier.receiving_agency
        if chosen is not None:
            return chosen
        if self.procedure is not None and self.procedure.current_version is not None:
            agencies = list(self.procedure.current_version.agencies.all())
            if len(agencies) == 1:
                return agencies[0]
        return None

    def feedback_input(self) -> FeedbackInput:
        data = self.cleaned_data
        return FeedbackInput(
            subject=data["subject"],
            agency=data["agency"],
            title=data["title"],
            content=data["content"],
            procedure=self.procedure,
            dossier=self.dossier,
            client_key=data["client_key"] or None,
        )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Vui lòng nhập nội dung trả lời."), "max_length": TOO_LONG},
    )
