"""`manage.py audit_verify [--dossier CODE]`: check the event log's hash chain (docs/adr/0005-audit-trail.md).

Events are read once, streamed in dossier and id order; the first broken link is named (dossier code, event id,
action, moment, and whether the link or the digest is wrong) and the command exits with status 2. A sound log
prints one summary line and exits 0; an unknown code is a one-line error with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.audit import CHAIN_COLUMNS, BreakKind, ChainBreak, chain_verify
from dossiers.models import Dossier, DossierEvent

EXIT_BROKEN = 2


class Command(BaseCommand):
    help = str(
        gettext_lazy(
            "Kiểm tra chuỗi băm của nhật ký hồ sơ và chỉ ra mắt xích hỏng đầu tiên. "
            "Checks the event log's hash chain and names the first broken link."
        )
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", metavar="CODE", help=str(gettext_lazy("Chỉ kiểm tra hồ sơ có mã này.")))

    def handle(self, *args, dossier: str | None = None, **options):
        events = DossierEvent.objects.all()
        if dossier is not None:
            dossier_id = Dossier.objects.filter(code=dossier).values_list("pk", flat=True).first()
            if dossier_id is None:
                raise CommandError(_("Không có hồ sơ mã {code}.").format(code=dossier))
            events = events.filter(dossier_id=dossier_id)
        rows = events.order_by("dossier_id", "id").values(*CHAIN_COLUMNS).iterator(chunk_size=5000)
        try:
            report = chain_verify(rows)
        finally:
            rows.close()  # a walk stopped early closes its server-side cursor now, while it is still valid
        if report.broken is not None:
            raise CommandError(_describe(report.broken), returncode=EXIT_BROKEN)
        self.stdout.write(
            _("Nhật ký nguyên vẹn: đã kiểm tra {dossiers} hồ sơ, {events} sự kiện.").format(
                dossiers=report.dossiers, events=report.events
            )
        )


def _describe(broken: ChainBreak) -> str:
    code = Dossier.objects.filter(pk=broken.dossier_id).values_list("code", flat=True).first()
    what = (
        _("liên kết với sự kiện trước không khớp (prev_hash)")
        if broken.kind == BreakKind.LINK
        else _("mã băm không khớp nội dung sự kiện (digest)")
    )
    return _("Chuỗi nhật ký bị đứt tại hồ sơ {code}, sự kiện #{event} ({action}, {moment}): {what}.").format(
        code=code or f"#{broken.dossier_id}",
        event=broken.event_id,
        action=broken.action,
        moment=timezone.localtime(broken.at).strftime("%d/%m/%Y %H:%M:%S"),
        what=what,
    )
