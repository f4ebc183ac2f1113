"""Decision 766/QĐ-TTg indicator definitions, versioned data (docs/indicators.md, docs/domain.md §9.1).

The national portal's formulas are reconstructed from its published scores and change between years, so each
indicator is a row with a formula in a small expression language (`indicators.formula`), the variables it uses
and the dates it is in force. A period is scored with the definitions in force on its last day; a changed formula
is a new row with a later `effective_from`, added in the admin without code.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators import formula


class Group(models.IntegerChoices):
    """The five groups of Decision 766 (100 points in all)."""

    TRANSPARENCY = 1, _("Công khai, minh bạch")
    PROGRESS = 2, _("Tiến độ, kết quả giải quyết")
    ONLINE = 3, _("Cung cấp dịch vụ trực tuyến")
    DIGITISATION = 4, _("Số hóa hồ sơ")
    SATISFACTION = 5, _("Mức độ hài lòng")


class IndicatorDefinitionQuerySet(models.QuerySet):
    def in_force(self, *, on: dt.date) -> list[IndicatorDefinition]:
        """The definitions in force on `on`, one per code (the latest `effective_from` wins if two overlap), in
        display order. One query."""
        rows = self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on).order_by(
            "group", "order", "code", "-effective_from"
        )
        chosen: dict[str, IndicatorDefinition] = {}
        for row in rows:
            chosen.setdefault(row.code, row)
        return list(chosen.values())


class IndicatorDefinition(models.Model):
    """One version of one indicator of Decision 766: its code, group, points and formula, in force from
    `effective_from` to `effective_to` (inclusive; open-ended when empty).

    `variables` maps each name the formula uses to its meaning in Vietnamese; every name must be a count the
    portal knows (`indicators.counts.VARIABLES`) — a count the portal does not hold makes the indicator "chưa có dữ
    liệu" (not computed, excluded from the total). `formula` is checked by `indicators.formula` when saved.
    """

    code = models.CharField(_("mã chỉ số"), max_length=10)
    metric = models.CharField(_("mã chỉ tiêu (Cổng DVC quốc gia)"), max_length=80, blank=True)
    group = models.PositiveSmallIntegerField(_("nhóm"), choices=Group.choices)
    group_max = models.DecimalField(_("điểm tối đa của nhóm"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)
    name = models.CharField(_("tên chỉ số"), max_length=500)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    formula = models.TextField(
        _("công thức"),
        max_length=formula.MAX_LENGTH,
        help_text=_(
            "Biểu thức gồm số, tên biến, + - * /, ngoặc, min(…), max(…), so sánh và "
            "“a if điều_kiện else b”. Ví dụ: 6 if den == 0 else 6 * num / den"
        ),
    )
    variables = models.JSONField(
        _("biến số"),
        default=dict,
        help_text=_('Tên biến → ý nghĩa, ví dụ {"received": "Hồ sơ tiếp nhận trong kỳ"}.'),
    )
    note = models.TextField(_("ghi chú, nguồn"), blank=True)
    effective_from = models.DateField(_("áp dụng từ"))
    effective_to = models.DateField(_("áp dụng đến"), null=True, blank=True)

    objects = IndicatorDefinitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("định nghĩa chỉ số 766")
        verbose_name_plural = _("định nghĩa chỉ số 766")
        ordering = ["group", "order", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="indicator_code_from"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="indicator_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="indicator_points_positive"),
        ]
        # The page selects the definitions in force on a day: a range on the dates.
        indexes = [models.Index(fields=["effective_from", "effective_to"], name="indicator_in_force")]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from:%d/%m/%Y})"

    def clean(self) -> None:
        """Refuse a formula outside the whitelist, a name it uses but does not declare, and a declared name the
        portal does not know (a typo would silently make the indicator uncomputable)."""
        from indicators.counts import VARIABLES

        errors = {}
        if not isinstance(self.variables, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.variables.items()
        ):
            errors["variables"] = _("Biến số phải là một đối tượng JSON: tên biến → ý nghĩa.")
        else:
            unknown = sorted(set(self.variables) - set(VARIABLES))
            if unknown:
                errors["variables"] = _("Hệ thống không có số liệu tên: {names}.").format(names=", ".join(unknown))
            try:
                formula.validate(self.formula, variables=self.variables)
            except formula.FormulaError as error:
                errors["formula"] = str(error)
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = _("Ngày kết thúc phải sau ngày bắt đầu áp dụng.")
        if errors:
            raise ValidationError(errors)

    @property
    def formula_display(self) -> str:
        """The formula as people read it (× ÷ ≤, "nếu … ngược lại"); empty while it is not a valid formula."""
        try:
            return formula.render(self.formula)
        except formula.FormulaError:
            return ""


# The per-dossier facts the indicators count beyond `stats.DailyFigure`, rolled up by `indicators.services`.
DAILY_MEASURES = ("synced", "digitised", "reused", "with_obligation", "paid_online", "decided", "e_result")


class DailyCount(models.Model):
    """The indicator counts of one local day (Asia/Ho_Chi_Minh) for one agency and procedure, beside the dashboard's
    `stats.DailyFigure` (docs/indicators.md "Roll-up").

    By the day of `received_at`: `synced` (a national sync state exists), `digitised` (a component digitised or
    reused), `reused` (a component reused, or a file taken from the citizen's store), `with_obligation` (fee mode
    "thu trước" / "thu sau"), `paid_online` (with an obligation and a paid online payment). By the day of
    `completed_at`, withdrawals excluded: `decided`, and `e_result` (a result file with a digital signature).
    `agency` is the body handling the dossier (processing, else receiving), as in the dashboard's roll-up.
    """

    day = models.DateField(_("ngày"))
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="+"
    )
    synced = models.PositiveIntegerField(_("đã đồng bộ Cổng quốc gia"), default=0)
    digitised = models.PositiveIntegerField(_("có thành phần số hóa"), default=0)
    reused = models.PositiveIntegerField(_("tái sử dụng dữ liệu số hóa"), default=0)
    with_obligation = models.PositiveIntegerField(_("có nghĩa vụ tài chính"), default=0)
    paid_online = models.PositiveIntegerField(_("thanh toán trực tuyến"), default=0)
    decided = models.PositiveIntegerField(_("có kết quả"), default=0)
    e_result = models.PositiveIntegerField(_("có kết quả điện tử ký số"), default=0)

    class Meta:
        verbose_name = _("số liệu chỉ số theo ngày")
        verbose_name_plural = _("số liệu chỉ số theo ngày")
        constraints = [models.UniqueConstraint(fields=["day", "agency", "procedure"], name="indicator_daily_key")]
        # The page sums a day range within a scope of agencies.
        indexes = [models.Index(fields=["agency", "day"], name="indicator_daily_agency_day")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.agency_id}/{self.procedure_id}"


class CountsMark(models.Model):
    """The watermark of the indicators' refresh: one row (pk 1), locked for the length of a refresh. As for the
    dashboard's roll-up (stats.RefreshMark), the last dossier event seen and the one before, and the moments of the
    last two refreshes (for the national sync states, which write no dossier event)."""

    event_id = models.BigIntegerField(_("sự kiện hồ sơ cuối đã xét"), null=True)
    previous_event_id = models.BigIntegerField(_("sự kiện hồ sơ cuối của lần trước"), null=True)
    refreshed_at = models.DateTimeField(_("làm mới lúc"), null=True)
    previous_refreshed_at = models.DateTimeField(_("làm mới lần trước lúc"), null=True)
    rebuilt_at = models.DateTimeField(_("tính lại toàn bộ lúc"), null=True)

    class Meta:
        verbose_name = _("mốc làm mới số liệu chỉ số")
        verbose_name_plural = _("mốc làm mới số liệu chỉ số")

    def __str__(self) -> str:
        return f"#{self.event_id} {self.refreshed_at}"
