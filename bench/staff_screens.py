"""p50 / p95 of the staff's working pages on a seeded database (run bench/seed_demo.py first, e.g. 1,000,000 dossiers).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/staff_screens.py [--runs 40]

Requests each page through Django's test client (URL routing, middleware, queries, template rendering; no network)
as a desk officer and an officer of a small commune (the demo accounts) and of the busiest provincial bodies (accounts
created here for the bench): the desk's queue `/desk/`, a search by code, the officers' inbox `/work/`. Prints the
median and the 95th percentile in ms, and the rows behind each page. The target (issue 8) is p95 < 100 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Production settings (DEBUG off: no query log kept), with a throwaway key and the test client's host.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import staff_assign  # noqa: E402
from agencies.models import Agency  # noqa: E402
from dossiers.models import Dossier, DossierStep  # noqa: E402


def bench_user(username: str, role: str, agency: Agency) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"full_name": username})
    staff_assign(user=user, agency=agency, role=role, desk=agency.desks.first() if role == Role.DESK else None)
    return User.objects.select_related("staff_profile").get(pk=user.pk)


def timed(client: Client, path: str, runs: int) -> tuple[float, float]:
    client.get(path, secure=True)  # warm: session, caches, the calendar
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed static names
    print(f"dossiers in the database: {Dossier.objects.count():,}")
    busiest_receiver = Agency.objects.get(
        pk=Dossier.objects.values("receiving_agency").annotate(n=Count("id")).order_by("-n")[0]["receiving_agency"]
    )
    open_steps = DossierStep.objects.filter(finished_at__isnull=True).exclude(agency__level="commune")
    busiest_processor = Agency.objects.get(
        pk=open_steps.values("agency").annotate(n=Count("id")).order_by("-n")[0]["agency"]
    )
    users = {
        "desk (commune)": User.objects.get(username="desk"),
        f"desk ({busiest_receiver.short_name or busiest_receiver.name})": bench_user(
            "bench-desk", Role.DESK, busiest_receiver
        ),
        "officer (commune)": User.objects.get(username="officer"),
        f"head ({busiest_processor.short_name or busiest_processor.name})": bench_user(
            "bench-head", Role.HEAD, busiest_processor
        ),
    }
    for label, user in users.items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        agency = user.staff_profile.agency
        if user.staff_profile.role == Role.DESK:
            held = Dossier.objects.filter(receiving_agency=agency).count()
            code = Dossier.objects.filter(receiving_agency=agency).exclude(code="").values_list("code", flat=True)[0]
            pages = {"queue /desk/": "/desk/", "search by code": f"/desk/?q={code}"}
        else:
            held = DossierStep.objects.filter(agency=agency, finished_at__isnull=True).count()
            pages = {"inbox /work/ (unit)": "/work/?tab=unit", "inbox, overdue": "/work/?tab=unit&state=overdue"}
        print(f"{label}: {held:,} {'dossiers received' if user.staff_profile.role == Role.DESK else 'open steps'}")
        for name, path in pages.items():
            p50, p95 = timed(client, path, runs)
            print(f"  {name:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
