"""Summary tables of the dossier statistics (docs/statistics.md, docs/domain.md §5.11, §9.2).

The dashboard reads these rows only, never the dossiers: one row per local day and key, rebuilt from the dossiers
by `stats.services` (a day is always recomputed whole, so a row is never patched by hand).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import Channel
from procedures.models import OnlineMode

# The counted measures, in the order the refresh writes them (stats/services.py builds its SQL from this list).
MEASURES = ("received", "early", "on_time", "late", "withdrawn", "refused", "returned")


class DailyFigure(models.Model):
    """The counts of one local day (Asia/Ho_Chi_Minh) for one agency, procedure, field, channel and online mode.

    `agency` is the body handling the dossier (its processing agency, else the receiving one). A dossier counts as
    received on the day of `received_at`; as resolved early / on time / late (§5.11, by `outcome`) on the day of
    `completed_at` — withdrawn and stopped dossiers included, withdrawn also in `withdrawn`; as refused on the day
    of `refused_at`; as returned on the day of `returned_at`. Dossiers never received are not counted except as
    refused (§9.2).
    """

    day = models.DateField(_("ngày"))
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="+"
    )
    field = models.ForeignKey(
        "procedures.Field", verbose_name=_("lĩnh vực"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    online_mode = models.CharField(_("mức độ trực tuyến"), max_length=10, choices=OnlineMode.choices)
    received = models.PositiveIntegerField(_("tiếp nhận"), default=0)
    early = models.PositiveIntegerField(_("giải quyết trước hạn"), default=0)
    on_time = models.PositiveIntegerField(_("giải quyết đúng hạn"), default=0)
    late = models.PositiveIntegerField(_("giải quyết quá hạn"), default=0)
    withdrawn = models.PositiveIntegerField(_("rút hồ sơ"), default=0)
    refused = models.PositiveIntegerField(_("không được tiếp nhận"), default=0)
    returned = models.PositiveIntegerField(_("đã trả kết quả"), default=0)

    class Meta:
        verbose_name = _("số liệu ngày")
        verbose_name_plural = _("số liệu ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency", "procedure", "field", "channel", "online_mode"], name="stats_daily_figure_key"
            )
        ]
        # The dashboard filters a day range within a scope (agencies), optionally a field or a procedure.
        indexes = [
            models.Index(fields=["agency", "day"], name="stats_figure_agency_day"),
            models.Index(fields=["field", "day"], name="stats_figure_field_day"),
            models.Index(fields=["procedure", "day"], name="stats_figure_procedure_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.agency_id}/{self.procedure_id}/{self.channel}"


class RefreshMark(models.Model):
    """The watermark of the incremental refresh: one row (pk 1), locked for the length of a refresh.

    `event_id` is the last dossier event seen by the latest refresh, `previous_event_id` the one before: a refresh
    rescans both windows, so an event whose transaction committed just after a refresh read the maximum id is still
    seen by the next one (ids are handed out before commit, not in commit order).
    """

    event_id = models.BigIntegerField(_("sự kiện hồ sơ cuối đã xét"), null=True)
    previous_event_id = models.BigIntegerField(_("sự kiện hồ sơ cuối của lần trước"), null=True)
    refreshed_at = models.DateTimeField(_("làm mới lúc"), null=True)
    days = models.PositiveIntegerField(_("số ngày tính lại lần cuối"), default=0)

    class Meta:
        verbose_name = _("mốc làm mới thống kê")
        verbose_name_plural = _("mốc làm mới thống kê")

    def __str__(self) -> str:
        return f"#{self.event_id} {self.refreshed_at}"


# The counted measures of `LateStepFigure`, in the order the refresh writes them.
LATE_MEASURES = ("steps", "late_steps", "late_dossiers", "overrun_minutes")


class LateStepFigure(models.Model):
    """Why late (docs/statistics.md "Why late"): the judged steps finished on one local day at one unit (the step's
    agency), for one procedure and one officer (the step's handler; none when nobody held it), §5.7, §5.11.

    `steps` counts the finished steps with a due moment (a withdrawal's last step is not judged); `late_steps` those
    that used working time beyond their budget, paused time left out (`DossierStep.overrun_minutes` > 0), and
    `overrun_minutes` the sum of that time; `late_dossiers` the dossiers resolved late whose largest overrun is this
    step (each late dossier is blamed on one step, so the counts add up across units, officers and days).
    """

    day = models.DateField(_("ngày"))
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    steps = models.PositiveIntegerField(_("bước có định mức đã xong"), default=0)
    late_steps = models.PositiveIntegerField(_("bước vượt định mức"), default=0)
    late_dossiers = models.PositiveIntegerField(_("hồ sơ trễ hạn do bước này"), default=0)
    overrun_minutes = models.PositiveBigIntegerField(_("số phút vượt định mức"), default=0)

    class Meta:
        verbose_name = _("số liệu bước trễ hạn")
        verbose_name_plural = _("số liệu bước trễ hạn")
        # No unique key: `handler` is nullable and the rows are only ever written by the refresh, a day at a time.
        indexes = [
            models.Index(fields=["agency", "day"], name="stats_late_agency_day"),
            models.Index(fields=["procedure", "day"], name="stats_late_procedure_day"),
            models.Index(fields=["handler", "day"], name="stats_late_handler_day"),
            models.Index(fields=["day"], name="stats_late_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.agency_id}/{self.procedure_id}/{self.handler_id}"
