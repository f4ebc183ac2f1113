"""Summary tables of the public transparency page (docs/transparency.md, docs/domain.md §5.2, §5.11, §11).

The page reads `PublicFigure` only, never the dossiers: the rows are rebuilt whole once a day by
`transparency.services.public_figures_rebuild`, with `WorkingDay` (the working-day ordinals) rebuilt in the same
transaction so that the working days between two dates are one join and one subtraction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkingDay(models.Model):
    """One calendar date and how many working days fall from the table's first date up to it, itself included.

    Working days follow the calendar in force (§5.2: the `holidays` package for Vietnam and the province's
    overrides). For two dates a ≤ b, `ordinal(b) − ordinal(a)` is the number of working days in (a, b]: the count
    §5.5(a) uses, "the N-th working day after the date of receipt". The rows cover the dates the last rebuild needed.
    """

    day = models.DateField(_("ngày"), primary_key=True)
    ordinal = models.PositiveIntegerField(_("số ngày làm việc tích lũy"))
    is_working = models.BooleanField(_("ngày làm việc"))

    class Meta:
        verbose_name = _("ngày làm việc (bảng tính)")
        verbose_name_plural = _("ngày làm việc (bảng tính)")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} #{self.ordinal}"


class PublicFigure(models.Model):
    """What the dossiers resolved in the published period show for one procedure at one agency (§5.11).

    `agency` is the body handling the dossier (its processing agency, else the receiving one), as in the
    statistics; a null `agency` is the procedure across all agencies, a null `procedure` the agency across all its
    procedures, both null the whole province. `resolved` counts the received dossiers completed in the period
    (results, stops and withdrawals); `on_time` those early or on time, withdrawals included (§5.11: a withdrawal is
    on time); `late` the rest. `timed` is the dossiers with an answer (withdrawals left out: they end without one),
    and `median_days` / `p90_days` the median and 90th percentile of their working days from receipt to result.
    Groups of fewer than `MIN_DOSSIERS` resolved dossiers are never written (small numbers mislead and can point
    at a person, §11); times of fewer than `MIN_DOSSIERS` timed dossiers are left empty.
    """

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    resolved = models.PositiveIntegerField(_("đã giải quyết"))
    on_time = models.PositiveIntegerField(_("trước hạn và đúng hạn"))
    late = models.PositiveIntegerField(_("quá hạn"))
    withdrawn = models.PositiveIntegerField(_("rút hồ sơ"))
    timed = models.PositiveIntegerField(_("có kết quả"))
    on_time_rate = models.DecimalField(_("tỷ lệ đúng hạn (%)"), max_digits=4, decimal_places=1)
    median_days = models.DecimalField(
        _("trung vị (ngày làm việc)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    p90_days = models.DecimalField(
        _("90% hồ sơ xong trong (ngày làm việc)"), max_digits=7, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("số liệu công khai")
        verbose_name_plural = _("số liệu công khai")
        # The procedure page looks up its procedure's row; the page filters by agency.
        indexes = [
            models.Index(fields=["procedure", "agency"], name="public_figure_procedure"),
            models.Index(fields=["agency", "procedure"], name="public_figure_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id or '*'}/{self.procedure_id or '*'}: {self.on_time}/{self.resolved}"

    @property
    def late_rate(self):
        return 100 - self.on_time_rate


class PublicRefresh(models.Model):
    """The single row (pk 1) saying which period the figures cover; locked while they are rebuilt, so two
    rebuilds at once run one after the other and the second writes the same rows."""

    period_start = models.DateField(_("từ ngày"), null=True)
    period_end = models.DateField(_("đến hết ngày"), null=True)
    refreshed_at = models.DateTimeField(_("làm mới lúc"), null=True)
    calendar_version = models.PositiveIntegerField(_("phiên bản lịch"), null=True)
    dossiers = models.PositiveIntegerField(_("số hồ sơ đã tính"), default=0)
    rows = models.PositiveIntegerField(_("số dòng số liệu"), default=0)
    seconds = models.FloatField(_("thời gian tính (giây)"), default=0)

    class Meta:
        verbose_name = _("mốc làm mới số liệu công khai")
        verbose_name_plural = _("mốc làm mới số liệu công khai")

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end}"
