"""Ratings of returned dossiers (docs/domain.md §9.3) and feedback / complaints (phản ánh, kiến nghị) answered by the
agency concerned within a deadline in working days (§9.1 indicators 5.2–5.4).

Only `feedback.services` writes these rows; `feedback.selectors` reads them for the citizen, the staff and the
leaders' indicators.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

RATING_INDICES = tuple(range(1, 10))  # the nine indices of §9.3, 2 / 1 / 0 points each
MAX_POINTS = 2 * len(RATING_INDICES)


class Satisfaction(models.TextChoices):
    """The answer to the two questions "ease of use" and "overall" (§9.3); they feed indicator 5.4."""

    VERY = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT = "not_satisfied", _("Không hài lòng")


class DossierRating(models.Model):
    """The applicant's one rating of a returned dossier: nine indices of 2 / 1 / 0 points and two questions
    (Circular 01/2018 Ch. III, as docs/domain.md §9.3 restates it).

    Indices 1, 2, 5, 6, 8 and 9 are computed from what the portal recorded when the rating is given; 3, 4 and 7
    are the applicant's answers (`contacts`, `bodies`, `attitude`, kept as the points they give). The one-to-one
    on `dossier` makes a second rating impossible, even under a double click.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="rating"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đánh giá"), on_delete=models.PROTECT, related_name="+"
    )
    # The agency rated: the one that resolved the dossier (else the one that received it), copied so the leaders'
    # figures group ratings by agency without a join through the dossiers.
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("đánh giá lúc"))
    index_1 = models.PositiveSmallIntegerField(_("tổng thời gian giải quyết so với quy định"))
    index_2 = models.PositiveSmallIntegerField(_("thời gian của từng cơ quan so với quy định"))
    index_3 = models.PositiveSmallIntegerField(_("số lần liên hệ để hoàn thiện hồ sơ"))
    index_4 = models.PositiveSmallIntegerField(_("số cơ quan phải liên hệ"))
    index_5 = models.PositiveSmallIntegerField(_("tiếp nhận và trả kết quả tại Bộ phận Một cửa"))
    index_6 = models.PositiveSmallIntegerField(_("công khai thủ tục hành chính"))
    index_7 = models.PositiveSmallIntegerField(_("thái độ của cán bộ"))
    index_8 = models.PositiveSmallIntegerField(_("xử lý phản ánh, kiến nghị"))
    index_9 = models.PositiveSmallIntegerField(_("cung cấp dịch vụ trực tuyến"))
    ease = models.CharField(_("mức độ dễ dàng khi thực hiện"), max_length=16, choices=Satisfaction.choices)
    overall = models.CharField(_("mức độ hài lòng chung"), max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(_("góp ý"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("đánh giá hồ sơ")
        verbose_name_plural = _("đánh giá hồ sơ")
        indexes = [models.Index(fields=["agency", "submitted_at"], name="rating_agency_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    *(Q(**{f"index_{n}__lte": 2}) for n in RATING_INDICES),
                ),
                name="rating_points_0_to_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.total}/{MAX_POINTS}"

    @property
    def points(self) -> dict[int, int]:
        return {n: getattr(self, f"index_{n}") for n in RATING_INDICES}

    @property
    def total(self) -> int:
        return sum(self.points.values())


class Subject(models.TextChoices):
    PROCEDURE = "procedure", _("Về thủ tục hành chính")
    AGENCY = "agency", _("Về cơ quan, cán bộ")


class FeedbackQuerySet(models.QuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True)


class Feedback(models.Model):
    """A citizen's feedback or complaint (phản ánh, kiến nghị) about a procedure or an agency, answered by that
    agency by `answer_due_at`: received + N working days of the agency's calendar (settings.FEEDBACK_ANSWER_DAYS,
    a design default; docs/domain.md §9.1 indicator 5.2 counts those answered by their deadline).

    `on_time` compares dates, as §5.11 does for dossiers: answered on or before the due date.
    """

    reference = models.CharField(_("số tiếp nhận"), max_length=32, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), on_delete=models.PROTECT, related_name="feedback"
    )
    subject = models.CharField(_("phản ánh về"), max_length=12, choices=Subject.choices)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("thủ tục hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan tiếp nhận, xử lý"), on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ liên quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"), max_length=4000)
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    answer_due_at = models.DateTimeField(_("hạn trả lời"))
    calendar_version = models.PositiveIntegerField(_("phiên bản lịch làm việc"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_time = models.BooleanField(_("trả lời đúng hạn"), null=True, blank=True)
    # A double click or a retried request sends the same key: the unique column keeps one row.
    client_key = models.CharField(
        _("khóa chống trùng"), max_length=64, null=True, blank=True, unique=True, editable=False
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The staff's list: an agency's open feedback by deadline.
            models.Index(
                fields=["agency", "answer_due_at"], name="feedback_open_agency_due", condition=Q(answered_at=None)
            ),
            # The leaders' figures: an agency's feedback received in a period.
            models.Index(fields=["agency", "received_at"], name="feedback_agency_period"),
            models.Index(fields=["user", "-received_at"], name="feedback_user_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""), name="feedback_answered_has_answer"
            )
        ]

    def __str__(self) -> str:
        return self.reference or self.title
