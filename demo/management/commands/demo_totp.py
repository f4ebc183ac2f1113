"""`manage.py demo_totp <username>`: the current TOTP code of a demo staff account (docs/authentication.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import current_code, demo_key_hex


class Command(BaseCommand):
    help = "In mã xác thực TOTP hiện tại của một tài khoản cán bộ mẫu / print a demo staff account's current code."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--force", action="store_true", help="Chạy cả khi DEBUG tắt.")

    def handle(self, *args, username: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Chỉ dùng với dữ liệu mẫu (DEBUG bật) / demo data only (DEBUG on, or --force).")
        # Only a device holding the documented demo secret: a real account's secret is never printed.
        device = TOTPDevice.objects.filter(user__username=username, key=demo_key_hex(username)).first()
        if device is None:
            raise CommandError(
                f"“{username}” không có thiết bị TOTP mẫu (chạy seed_demo) / no demo TOTP device for this account."
            )
        self.stdout.write(current_code(device))
