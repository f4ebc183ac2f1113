"""The procedure (TTHC) catalogue, versioned: a dossier keeps the version in force when it was submitted.

Fields follow the national-database record (docs/domain.md §8): the eleven published items plus code,
levels, field, agencies, time unit and cut-off, supplement clock mode, fees, documents and the internal
process.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.text import fold_words


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE = "commune", _("Cấp xã")
    CENTRAL = "central", _("Cấp trung ương")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")


# One indexed boolean column per level, so "procedures done at commune level" is a plain indexed equality on
# SQLite and PostgreSQL alike; the JSON `levels` list (published order) stays the source they derive from.
LEVEL_FLAGS: dict[str, str] = {level.value: f"level_{level.value}" for level in Level}


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    SAME_DAY = "same_day", _("trong ngày")
    MIXED = "mixed", _("kết hợp")
    NONE = "none", _("không quy định thời hạn")


class ClockMode(models.TextChoices):
    RESTART = "restart", _("tính lại từ đầu")
    CONTINUE = "continue", _("tính tiếp thời gian còn lại")


class ExcludedTime(models.TextChoices):
    """Periods the law says are not counted in the time limit (docs/domain.md §5.6); stored as a JSON list."""

    VERIFICATION = "verification", _("xác minh")
    CONSULTATION = "consultation", _("lấy ý kiến")
    OTHER_AGENCY = "other_agency", _("thời gian của cơ quan khác")
    OTHER = "other", _("khác")


class OnlineMode(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class Field(models.Model):
    """Lĩnh vực: the field a procedure belongs to (Circular 03/2025 field catalogue)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet):
    def in_force(self):
        """Procedures with a published current version that is not abolished."""
        return self.filter(current_version__isnull=False, abolished_on__isnull=True)


class ProcedureVersionQuerySet(models.QuerySet):
    def in_force(self):
        """The current version of every procedure that is not abolished: what the public catalogue lists."""
        return self.filter(procedure__current_version=models.F("pk"), procedure__abolished_on__isnull=True)

    def at_level(self, level: str):
        """Versions carried out at `level` (a `Level` value), through its indexed flag column."""
        return self.filter(**{LEVEL_FLAGS[Level(level)]: True})


@dataclass(frozen=True)
class LegalBasisEntry:
    """One item of căn cứ pháp lý as stored in `ProcedureVersion.legal_basis`, its date parsed."""

    number: str
    title: str
    date: dt.date | None


class Procedure(models.Model):
    """A national procedure code; its content lives in versions, the one in force is `current_version`."""

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    current_version = models.OneToOneField(
        "ProcedureVersion",
        verbose_name=_("phiên bản hiện hành"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    abolished_on = models.DateField(_("ngày bãi bỏ"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}"


class ProcedureVersion(models.Model):
    """One published text of a procedure, in force from `effective_from` until `effective_to` (inclusive).

    A dossier keeps the version in force when it was submitted, so a published version is never rewritten in
    place: a change is a new version (services.procedure_publish_version; docs/domain.md §1 "versioned rules").
    `content_hash` fingerprints the content as imported (procedures.content): an unchanged import is a no-op.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("công bố lúc"), auto_now_add=True)

    # Real national names run past 500 characters (land registration procedures: ~570).
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="versions")
    levels = models.JSONField(_("cấp thực hiện"), default=list)
    procedure_type = models.CharField(_("loại thủ tục"), max_length=255, blank=True)
    implementing_agency = models.TextField(_("cơ quan thực hiện"), blank=True)
    competent_agency = models.TextField(_("cơ quan có thẩm quyền"), blank=True)
    coordinating_agency = models.TextField(_("cơ quan phối hợp"), blank=True)
    agencies = models.ManyToManyField(
        "agencies.Agency",
        verbose_name=_("cơ quan giải quyết trên địa bàn"),
        blank=True,
        related_name="procedures",
    )
    # Identifiers the catalogue named that had no agency yet: linked as soon as the agency exists
    # (services.procedures_link_pending_agencies), so the import order does not matter.
    pending_agency_identifiers = models.JSONField(_("cơ quan chờ liên kết"), default=list, blank=True, editable=False)
    submission_place = models.TextField(_("địa chỉ tiếp nhận hồ sơ"), blank=True)
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    sequence = models.TextField(_("trình tự thực hiện"), blank=True)
    channels = models.TextField(_("cách thức thực hiện"), blank=True)

    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    time_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2, null=True, blank=True)
    time_parts = models.JSONField(
        _("các phần thời hạn"),
        default=list,
        blank=True,
        help_text=_("Với thời hạn kết hợp: danh sách {unit, value} theo thứ tự công bố."),
    )
    time_description = models.TextField(_("mô tả thời hạn"), blank=True)
    cutoff_time = models.TimeField(_("giờ chốt tiếp nhận"), null=True, blank=True)
    supplement_clock_mode = models.CharField(
        _("cách tính thời gian sau bổ sung"),
        max_length=10,
        choices=ClockMode.choices,
        default=ClockMode.RESTART,
    )
    excluded_time_categories = models.JSONField(_("thời gian không tính"), default=list, blank=True)
    financial_obligation_excluded = models.BooleanField(
        _("không tính thời gian thực hiện nghĩa vụ tài chính"), default=False
    )
    acceptance_window_hours = models.DecimalField(
        _("thời hạn tiếp nhận hồ sơ trực tuyến (giờ làm việc)"), max_digits=5, decimal_places=2, default=8
    )
    # The level of assurance of the applicant's electronic identification account that online submission needs
    # (Decree 69/2024/NĐ-CP; docs/vneid.md): 0 none, 1 or 2 a VNeID account of that level.
    min_loa = models.PositiveSmallIntegerField(
        _("mức độ tài khoản định danh điện tử tối thiểu"),
        default=0,
        validators=[MaxValueValidator(2)],
        help_text=_("0: không yêu cầu; 1 hoặc 2: nộp trực tuyến cần tài khoản VNeID mức độ đó."),
    )

    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    fee_description = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    online_mode = models.CharField(_("mức độ trực tuyến"), max_length=10, choices=OnlineMode.choices)
    location_independent = models.BooleanField(_("tiếp nhận không phụ thuộc địa giới hành chính"), default=False)
    announcing_decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)
    source_title = models.CharField(_("nguồn"), max_length=500, blank=True)
    source_url = models.URLField(_("đường dẫn nguồn"), max_length=500, blank=True)

    # Lower-case, accent-free words (procedures.text.fold_words) for search: the name (kept on every save), and the
    # name, code, field, documents, result and legal basis between spaces (kept by the import, procedures.services).
    search_name = models.CharField(_("tên để tìm kiếm"), max_length=1000, editable=False, default="", db_index=True)
    search_text = models.TextField(_("nội dung để tìm kiếm"), editable=False, default="")

    # Derived from `levels` on every save (see LEVEL_FLAGS): what the level filter queries.
    level_province = models.BooleanField(_("cấp tỉnh"), default=False, editable=False)
    level_department = models.BooleanField(_("sở, ban, ngành"), default=False, editable=False)
    level_commune = models.BooleanField(_("cấp xã"), default=False, editable=False)
    level_central = models.BooleanField(_("cấp trung ương"), default=False, editable=False)
    level_district = models.BooleanField(_("cấp huyện"), default=False, editable=False)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique_number"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="procedure_version_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["field"]),
            models.Index(fields=["online_mode"]),
            models.Index(fields=["effective_from", "effective_to"]),
            *(models.Index(fields=[flag], name=f"procver_{flag}_idx") for flag in LEVEL_FLAGS.values()),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        # The flags and the folded name are single-row derivations: keeping them here means a version created
        # anywhere (admin, factories, another app) is found by search and by the level filter.
        for level, flag in LEVEL_FLAGS.items():
            setattr(self, flag, level in (self.levels or []))
        self.search_name = fold_words(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", *LEVEL_FLAGS.values()}
        super().save(*args, **kwargs)

    @property
    def level_labels(self) -> list[str]:
        """Labels of the published levels, in published order (unknown values shown as they are)."""
        labels = dict(Level.choices)
        return [str(labels.get(level, level)) for level in self.levels or []]

    @property
    def legal_basis_entries(self) -> list[LegalBasisEntry]:
        entries = []
        for item in self.legal_basis or []:
            try:
                date = dt.date.fromisoformat(item.get("date") or "")
            except ValueError:
                date = None
            entries.append(LegalBasisEntry(item.get("number", ""), item.get("title", ""), date))
        return entries

    @property
    def allows_online_submission(self) -> bool:
        """Toàn trình or một phần (Decree 42/2022 Art. 11): the citizen may start the dossier online."""
        return self.online_mode != OnlineMode.NONE

    def clean(self) -> None:
        if self.time_unit == TimeUnit.MIXED and not self.time_parts:
            raise ValidationError({"time_parts": _("Thời hạn kết hợp cần ít nhất một phần.")})
        if self.time_unit not in (TimeUnit.MIXED, TimeUnit.NONE, TimeUnit.SAME_DAY) and self.time_value is None:
            raise ValidationError({"time_value": _("Cần nhập thời hạn giải quyết.")})


class ProcedureFee(models.Model):
    """A fee or charge (phí, lệ phí) item, in VND."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE, related_name="fees"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"), default=0)
    description = models.TextField(_("mô tả"), blank=True)
    # Null: charged in every case of the version; otherwise only in that case (đúng hạn / quá hạn).
    case = models.ForeignKey(
        "ProcedureCase",
        verbose_name=_("trường hợp"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fees",
    )

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name


class ProcedureCase(models.Model):
    """A case (trường hợp) of a procedure version: the applicant's situation, which decides the documents asked
    and the fees charged.

    A version with two or more cases asks the citizen to choose one first; a document without a case is asked in
    every case (`RequiredDocument.case`), a fee line without a case is charged in every case (`ProcedureFee.case`).
    """

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE, related_name="cases"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên trường hợp"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("trường hợp")
        verbose_name_plural = _("trường hợp")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.name[:80]


class RequiredDocument(models.Model):
    """A component of the dossier (thành phần hồ sơ) with its counts and form template."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    form_name = models.CharField(_("tên mẫu đơn, tờ khai"), max_length=255, blank=True)
    form_url = models.URLField(_("đường dẫn mẫu"), max_length=500, blank=True)
    form_file = models.FileField(_("tệp mẫu"), upload_to="procedure-forms/", blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # Null: asked in every case of the version.
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name=_("trường hợp"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class ProcedureStep(models.Model):
    """A step of the internal electronic process with its time budget in the version's unit (§5.7)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản thủ tục"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, blank=True)
    budget = models.DecimalField(_("thời gian (theo đơn vị của thủ tục)"), max_digits=7, decimal_places=2, default=0)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name
