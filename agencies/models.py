"""The agency tree: province → departments, service centre, vertical agencies → communes and wards.

Two-level local government since 1 July 2025 (Decree 118/2025 Art. 7–8); a district level stays for history.
The electronic identifier (Decision 20/2020, amended by 09/2025) is opaque: never parse meaning from it.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

e_identifier_validator = RegexValidator(
    r"^[0-9A-Z.]{1,35}$",
    _("Mã định danh điện tử gồm tối đa 35 ký tự: chữ số, chữ in hoa và dấu chấm."),
)


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
    CENTRE = "centre", _("Trung tâm Phục vụ hành chính công")
    VERTICAL = "vertical", _("Cơ quan ngành dọc")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã, phường, đặc khu")


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agency(models.Model):
    """An agency of the province with its electronic identifier, parent and office hours."""

    e_identifier = models.CharField(
        _("mã định danh điện tử"), max_length=35, unique=True, validators=[e_identifier_validator]
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    level = models.CharField(_("cấp"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    place_name = models.CharField(
        _("địa danh"),
        max_length=100,
        blank=True,
        help_text=_("Dùng trên văn bản: “<Địa danh>, ngày … tháng … năm …”."),
    )
    morning_start = models.TimeField(_("giờ bắt đầu buổi sáng"), default=dt.time(7, 0))
    morning_end = models.TimeField(_("giờ kết thúc buổi sáng"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("giờ bắt đầu buổi chiều"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("giờ kết thúc buổi chiều"), default=dt.time(17, 0))
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["e_identifier"]
        indexes = [models.Index(fields=["level", "is_active"]), models.Index(fields=["parent"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _("Các mốc giờ làm việc phải theo thứ tự tăng dần: sáng trước chiều, bắt đầu trước kết thúc.")
            )
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Một cơ quan không thể là cấp trên của chính nó.")})

    @property
    def office_periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))


class OneStopDesk(models.Model):
    """Bộ phận Một cửa (receiving and returning results) of an agency."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="desks")
    name = models.CharField(_("tên bộ phận"), max_length=255, default="Bộ phận Tiếp nhận và Trả kết quả")
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    hotline = models.CharField(_("đường dây nóng"), max_length=30, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("bộ phận một cửa")
        verbose_name_plural = _("bộ phận một cửa")
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="desk_unique_name_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency}"
