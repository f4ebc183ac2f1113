"""Demo data for `make run`: the agency tree of one province and one user per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import CitizenProfile, User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency, OneStopDesk
from agencies.services import agency_tree_load

# username → (full name, agency e-identifier, role); the citizen has no agency.
DEMO_STAFF = {
    "desk": ("Nguyễn Thị Lan", "000.00.06.H56", Role.DESK),
    "officer": ("Trần Văn Minh", "000.00.10.H56", Role.OFFICER),
    "head": ("Lê Quốc Hùng", "000.00.10.H56", Role.HEAD),
    "leader": ("Phạm Đức Thắng", "000.00.00.H56", Role.LEADER),
    "admin": ("Quản trị hệ thống", "000.00.06.H56", Role.ADMIN),
}


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: cây cơ quan và một tài khoản cho mỗi vai trò / Create demo agencies and users."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="Demo@2026", help="Mật khẩu của các tài khoản mẫu.")
        parser.add_argument("--force", action="store_true", help="Cho phép chạy khi DEBUG tắt.")

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Không tạo dữ liệu mẫu khi DEBUG tắt (dùng --force nếu thật sự cần) / "
                "Refusing to seed demo data with DEBUG off (use --force)."
            )
        with transaction.atomic():
            agencies = agency_tree_load()
            by_id = {a.e_identifier: a for a in Agency.objects.all()}
            for username, (full_name, agency_id, role) in DEMO_STAFF.items():
                user = self._user(username, full_name, password)
                if role == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                agency = by_id[agency_id]
                desk = OneStopDesk.objects.filter(agency=agency).first() if role == Role.DESK else None
                staff_assign(user=user, agency=agency, role=role, desk=desk)
            citizen = self._user("citizen", "Hoàng Thị Mai", password)
            CitizenProfile.objects.update_or_create(
                user=citizen,
                defaults={
                    "full_name": "Hoàng Thị Mai",
                    "personal_id": "038190001234",
                    "phone": "0912345678",
                    "email": "citizen@example.vn",
                    "address": "Số 12 phố Lê Hoàn, phường Hạc Thành, tỉnh Thanh Hóa",
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {len(agencies)} cơ quan và 6 tài khoản mẫu (citizen, desk, officer, head, leader, admin)."
            )
        )

    @staticmethod
    def _user(username: str, full_name: str, password: str) -> User:
        user, _created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.email = f"{username}@example.vn"
        user.set_password(password)
        user.save()
        return user
