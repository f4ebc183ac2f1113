"""The province's calendar decisions the `holidays` package lacks, kept as versioned rows (docs/domain.md §5.2).

Every change bumps one global calendar version; a due moment stores the version it was computed with, so the
calendar it used can always be rebuilt (`workcalendar.selectors.calendar_at`). Rows are never edited in place:
a change closes the current row for its date and opens a new one, through `workcalendar.services` only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workcalendar.calendar import DAY_OFF, WORKING_DAY


class OverrideKind(models.TextChoices):
    DAY_OFF = DAY_OFF, _("Ngày nghỉ")
    WORKING_DAY = WORKING_DAY, _("Ngày làm việc")


class ChangeAction(models.TextChoices):
    SET = "set", _("Đặt hoặc sửa ngày")
    REMOVE = "remove", _("Bỏ điều chỉnh")


class CalendarVersion(models.Model):
    """The single-row counter of the global calendar version, locked while a change is made (§5.2).

    Version 0 is the package calendar with no overrides. `token` is new whenever the row is created, so cached
    calendars of a database that was since reset are never reused.
    """

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    number = models.PositiveIntegerField(_("phiên bản lịch"), default=0)
    token = models.UUIDField(_("mã nhận diện lịch"), default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiên bản lịch làm việc")
        verbose_name_plural = _("phiên bản lịch làm việc")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="calendar_version_single_row")]

    def __str__(self) -> str:
        return str(self.number)


class CalendarOverrideQuerySet(models.QuerySet):
    def current(self):
        """Rows in force at the latest version."""
        return self.filter(version_to__isnull=True)

    def at_version(self, version: int):
        """Rows in force at `version`: opened at or before it and not closed by then."""
        return self.filter(Q(version_to__isnull=True) | Q(version_to__gt=version), version_from__lte=version)


class CalendarOverride(models.Model):
    """A date the province declares a day off or a working day, overriding the package calendar (§5.2).

    In force from calendar version `version_from` until `version_to` (exclusive; null = still in force). The
    legal basis is the decision that moved the day, e.g. a Prime Minister's or provincial notice on nghỉ bù.
    """

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại ngày"), max_length=20, choices=OverrideKind.choices)
    legal_basis = models.TextField(_("căn cứ pháp lý"))
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_overrides",
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    version_from = models.PositiveIntegerField(_("áp dụng từ phiên bản"), editable=False)
    version_to = models.PositiveIntegerField(_("hết áp dụng từ phiên bản"), null=True, blank=True, editable=False)

    objects = CalendarOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["-date", "-version_from"]
        constraints = [
            # At most one row in force per date: the versioned history is a chain, never a fork.
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(version_to__isnull=True),
                name="calendar_override_one_current_per_date",
            ),
            models.UniqueConstraint(fields=["date", "version_from"], name="calendar_override_unique_date_version"),
            models.CheckConstraint(
                condition=Q(version_to__isnull=True) | Q(version_to__gt=models.F("version_from")),
                name="calendar_override_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["version_from", "version_to"], name="calendar_override_versions")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"

    @property
    def is_current(self) -> bool:
        return self.version_to is None


class CalendarChange(models.Model):
    """The log of calendar versions: who set or removed which date's override, and why (§5.2, §5.6)."""

    version = models.PositiveIntegerField(_("phiên bản lịch"), unique=True)
    date = models.DateField(_("ngày"))
    action = models.CharField(_("thao tác"), max_length=10, choices=ChangeAction.choices)
    reason = models.TextField(_("lý do"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("lịch sử thay đổi lịch")
        verbose_name_plural = _("lịch sử thay đổi lịch")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}: {self.get_action_display()} {self.date:%d/%m/%Y}"
