from django.db.models import Count, Q

from dossiers.models import Dossier, Outcome
from dossiers.workflow import Status
from stats.models import LATE_MEASURES, MEASURES, DailyFigure, LateStepFigure


def figure_rows() -> set[tuple]:
    """Every summary row as a tuple (key and counts), for comparing two roll-ups exactly."""
    fields = ["day", "agency_id", "procedure_id", "field_id", "channel", "online_mode", *MEASURES]
    return set(DailyFigure.objects.values_list(*fields))


def late_rows() -> set[tuple]:
    """Every "why late" row as a tuple (key and counts)."""
    fields = ["day", "agency_id", "procedure_id", "handler_id", *LATE_MEASURES]
    return set(LateStepFigure.objects.values_list(*fields))


def totals_from_rows() -> dict[str, int]:
    return {m: sum(getattr(f, m) for f in DailyFigure.objects.all()) for m in MEASURES}


def totals_from_dossiers() -> dict[str, int]:
    """The same totals counted straight from the dossiers (§9.2: never-received dossiers only count as refused)."""
    received = Q(received_at__isnull=False)
    done = received & Q(completed_at__isnull=False)
    return Dossier.objects.aggregate(
        received=Count("pk", filter=received),
        early=Count("pk", filter=done & Q(outcome=Outcome.EARLY)),
        on_time=Count("pk", filter=done & Q(outcome=Outcome.ON_TIME)),
        late=Count("pk", filter=done & Q(outcome=Outcome.LATE)),
        withdrawn=Count("pk", filter=done & Q(status=Status.WITHDRAWN)),
        refused=Count("pk", filter=Q(refused_at__isnull=False)),
        returned=Count("pk", filter=received & Q(returned_at__isnull=False)),
    )
