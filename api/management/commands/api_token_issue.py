"""Issue an API token for a user or an integration's service account, printed once (api/tokens.py)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import Integration
from api.tokens import DEFAULT_DAYS, token_issue
from dossiers.errors import DossierRefused


class Command(BaseCommand):
    help = "Issue an API token (printed once; only its SHA-256 digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username of the token's owner")
        parser.add_argument("--integration", help="slug of the integration whose service account is --user")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
        parser.add_argument("--name", default="")

    def handle(self, *args, user, integration, days, name, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user!r}")
        found = None
        if integration:
            found = Integration.objects.filter(slug=integration).first()
            if found is None:
                raise CommandError(f"No integration {integration!r}")
        try:
            token, raw = token_issue(user=account, integration=found, days=days, name=name or "manage.py")
        except DossierRefused as refusal:
            raise CommandError(refusal.message) from None
        self.stderr.write(f"Token {token.prefix} for {account.username}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(raw)
