from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Ratings of returned dossiers and feedback / complaints (phản ánh, kiến nghị) answered by the agency."""

    name = "feedback"
    verbose_name = _("Đánh giá và phản ánh, kiến nghị")
