"""Demo data for `make run`: the agency tree of one province, one user per role and, on request, dossiers.

`--dossiers N` adds N dossiers in every status (demo.seeding); a second run adds N more, continuing each
agency's daily code sequence. An empty catalogue is imported first, since dossiers need procedure versions.
`--today YYYY-MM-DD` sets the reference day (default: the local date): every seeded moment lies before it.
"""

import argparse
import datetime as dt
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import CitizenProfile, User
from accounts.roles import Role
from accounts.second_factor import current_code, demo_device, secret_base32
from accounts.services import staff_assign
from agencies.models import Agency, OneStopDesk
from agencies.services import agency_tree_load
from demo.seeding import SeedingError, demo_dossiers_create, summary
from dossiers.models import Dossier
from procedures.importer import CatalogueError, catalogue_import
from procedures.models import ProcedureVersion
from procedures.services import procedures_link_pending_agencies

# username → (full name, agency e-identifier, role); the citizen has no agency.
DEMO_STAFF = {
    "desk": ("Nguyễn Thị Lan", "000.00.31.H56", Role.DESK),
    "officer": ("Trần Văn Minh", "000.00.31.H56", Role.OFFICER),
    "head": ("Lê Quốc Hùng", "000.00.31.H56", Role.HEAD),
    "leader": ("Phạm Đức Thắng", "000.00.00.H56", Role.LEADER),
    "leader_xa": ("Đỗ Văn Bình", "000.00.31.H56", Role.LEADER),
    "supervisor": ("Vũ Thị Hạnh", "000.00.06.H56", Role.SUPERVISOR),
    "admin": ("Quản trị hệ thống", "000.00.06.H56", Role.ADMIN),
}


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: cây cơ quan, một tài khoản cho mỗi vai trò và (tùy chọn) hồ sơ mẫu / "
        "Create demo agencies, users and optionally dossiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="Demo@2026", help="Mật khẩu của các tài khoản mẫu.")
        parser.add_argument("--force", action="store_true", help="Cho phép chạy khi DEBUG tắt.")
        parser.add_argument(
            "--dossiers",
            type=int,
            default=0,
            help="Số hồ sơ mẫu cần tạo thêm, đủ mọi trạng thái (mặc định 0) / demo dossiers to add.",
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Chỉ tạo hồ sơ mẫu khi chưa có hồ sơ nào (dùng cho make run) / only when there are no dossiers.",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Hạt giống ngẫu nhiên: cùng hạt, cùng ngày → cùng dữ liệu."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Số tiến trình lập hồ sơ song song (mặc định: số CPU trừ 2, từ 20.000 hồ sơ; 0: không) / "
            "planning processes; the same seed gives the same dossiers whatever the number.",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Ngày tham chiếu YYYY-MM-DD (mặc định: hôm nay); mọi mốc thời gian đều trước ngày này / "
            "reference day, every seeded moment lies before it.",
        )

    def handle(
        self,
        *args,
        password: str,
        force: bool,
        dossiers: int,
        seed: int,
        verbosity: int,
        only_if_empty: bool,
        today: dt.date | None = None,
        workers: int | None = None,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Không tạo dữ liệu mẫu khi DEBUG tắt (dùng --force nếu thật sự cần) / "
                "Refusing to seed demo data with DEBUG off (use --force)."
            )
        if dossiers < 0:
            raise CommandError("--dossiers phải ≥ 0 / --dossiers must not be negative.")
        if today is not None and today > timezone.localdate():
            raise CommandError("--today không được sau ngày hôm nay / --today must not be in the future.")
        started = time.perf_counter()
        # One hash for every demo account: PBKDF2 costs about half a second a call by design, and they all share
        # the same (public) demo password anyway.
        password = make_password(password)
        with transaction.atomic():
            agencies = agency_tree_load()
            # A catalogue imported before the agencies named them: link those procedures now.
            linked = procedures_link_pending_agencies()
            by_id = {a.e_identifier: a for a in Agency.objects.all()}
            for username, (full_name, agency_id, role) in DEMO_STAFF.items():
                user = self._user(username, full_name, password)
                if role == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                agency = by_id[agency_id]
                desk = OneStopDesk.objects.filter(agency=agency).first() if role == Role.DESK else None
                staff_assign(user=user, agency=agency, role=role, desk=desk)
                # The second factor (docs/authentication.md "Demo accounts"): a fixed, documented TOTP secret.
                demo_device(user)
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
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã tạo {len(agencies)} cơ quan và 6 tài khoản mẫu (citizen, desk, officer, head, leader, admin)."
                )
            )
            self._second_factor_lines()
            if linked:
                self.stdout.write(
                    f"Đã liên kết cơ quan cho {linked} phiên bản thủ tục / "
                    f"agencies linked to {linked} procedure versions."
                )
        if dossiers and only_if_empty and Dossier.objects.exists():
            if verbosity:
                self.stdout.write("Đã có hồ sơ, không tạo thêm hồ sơ mẫu / dossiers exist, none added.")
            return
        if dossiers:
            self._dossiers(dossiers, seed, verbosity, started, today or timezone.localdate(), workers)

    def _dossiers(
        self, count: int, seed: int, verbosity: int, started: float, today: dt.date, workers: int | None
    ) -> None:
        if not ProcedureVersion.objects.in_force().exists():
            try:
                report = catalogue_import()
            except CatalogueError as error:
                raise CommandError(str(error)) from error
            if verbosity:
                self.stdout.write("Danh mục thủ tục trống, đã nhập danh mục mặc định / catalogue imported:")
                self.stdout.write(report.summary())
        try:
            report = demo_dossiers_create(count=count, seed=seed, today=today, workers=workers)
        except SeedingError as error:
            raise CommandError(str(error)) from error
        if not verbosity:
            return
        counts = summary(report)
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo {report.dossiers} hồ sơ mẫu (seed {seed}, trước ngày {today:%d/%m/%Y}):")
        )
        for label, n in counts["status"]:
            self.stdout.write(f"  {label:<36} {n:>8}")
        self.stdout.write("  " + ", ".join(f"{label}: {n}" for label, n in counts["channel"]))
        if verbosity > 1:
            for table, n in counts["rows"]:
                self.stdout.write(f"  {table:<32} {n:>10}")
        self.stdout.write(
            f"Thời gian / elapsed: {time.perf_counter() - started:.1f} s "
            f"(lập {report.build_seconds:.1f} s, ghi {report.write_seconds:.1f} s)"
        )

    def _second_factor_lines(self) -> None:
        """Each demo staff account's TOTP secret, and how to get its current code."""
        self.stdout.write(
            "Xác thực hai lớp cho tài khoản cán bộ mẫu / demo staff TOTP secrets "
            "(mã hiện tại: `manage.py demo_totp <username>` hoặc `oathtool --totp -b <secret>`):"
        )
        for username in DEMO_STAFF:
            user = User.objects.get(username=username)
            device = demo_device(user)
            self.stdout.write(
                f"  {username:<10} {secret_base32(device)}  oathtool --totp -b {secret_base32(device)}"
                f"  (mã lúc này / code now: {current_code(device)})"
            )

    @staticmethod
    def _user(username: str, full_name: str, password: str) -> User:
        """The demo account `username`, its password set to `password`, already hashed (make_password)."""
        user, _created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.email = f"{username}@example.vn"
        user.password = password
        user.save()
        return user


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ {value!r}, cần YYYY-MM-DD / not a date") from error
