"""p50 / p95 of the staff's working pages on a seeded database (run bench/seed_demo.py first, e.g. 1,000,000 dossiers).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/staff_screens.py [--runs 40]

Requests each page through Django's test client (URL routing, middleware, queries, template rendering; no network)
and prints the median and the 95th percentile in ms. The personas are chosen from the seeded data: the desk and an
officer of the commune that has the least work (a small commune), of the department that has the most (a large
department), and of the busiest agency of any level when that is neither.
Their accounts are created here (bench-…); an officer's "mine" tab gets every open step of their agency that has a
handler (the seeder gives them to the demo accounts): the busiest officer there could be. Target (issue 8): p95 <
100 ms.

Pages: the desk's home `/desk/` (default view, a procedure filter, a search by code, by phone number, by a full name)
and the inbox `/work/` (the "mine" and "unit" tabs, the unit's on-track steps only).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Production settings (DEBUG off: no query log kept), with a throwaway key and the test client's host.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import staff_assign  # noqa: E402
from agencies.models import Agency, AgencyLevel, OneStopDesk  # noqa: E402
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


def personas_of(counts: dict[int, int]) -> list[tuple[Agency, int]]:
    """(agency, count) of the issue's two people and the worst case: the commune with the fewest (but some), the
    department with the most, and the busiest agency of any level when it is neither (in the demo data a large
    commune receives more than any department). Where the data lacks a level, any level stands in."""
    ranked = sorted((n, pk) for pk, n in counts.items() if n)
    agencies = Agency.objects.in_bulk([pk for _n, pk in ranked])
    communes = [(n, pk) for n, pk in ranked if agencies[pk].level == AgencyLevel.COMMUNE]
    departments = [(n, pk) for n, pk in ranked if agencies[pk].level == AgencyLevel.DEPARTMENT]
    chosen = [(communes or ranked)[0], (departments or ranked)[-1]]
    if ranked[-1] not in chosen:
        chosen.append(ranked[-1])
    return [(agencies[pk], n) for n, pk in chosen]


def desk_personas() -> list[tuple[str, User, dict[str, str]]]:
    with_desk = set(OneStopDesk.objects.filter(is_active=True).values_list("agency_id", flat=True))
    received = dict(
        Dossier.objects.filter(receiving_agency_id__in=with_desk)
        .values_list("receiving_agency")
        .annotate(n=Count("id"))
        .order_by()
    )
    personas = []
    for agency, count in personas_of(received):
        user = bench_user(f"bench-desk-{agency.pk}", Role.DESK, agency)
        mine = Dossier.objects.filter(receiving_agency=agency).exclude(code=None)
        code = mine.values_list("code", flat=True).order_by("-id")[0]
        phone = mine.exclude(applicant__phone="").values_list("applicant__phone", flat=True).order_by("-id")[0]
        name = mine.values_list("applicant__name", flat=True).order_by("id")[0]  # an old one: a rare full name
        procedure = (
            mine.filter(status__in=("received", "in_processing"))
            .values_list("procedure_version__procedure")
            .annotate(n=Count("id"))
            .order_by("-n")[0][0]
        )
        pages = {
            "desk home": "/desk/",
            "  filter: procedure": f"/desk/?procedure={procedure}",
            "  search by code": f"/desk/?q={code}",
            "  search by phone": f"/desk/?q={phone}",
            "  search by name": f"/desk/?q={quote(name)}",
        }
        personas.append((f"desk of {agency.name}: {count:,} dossiers received", user, pages))
    return personas


def officer_personas() -> list[tuple[str, User, dict[str, str]]]:
    open_steps = DossierStep.objects.filter(finished_at__isnull=True)
    counts = dict(open_steps.values_list("agency").annotate(n=Count("id")).order_by())
    personas = []
    for agency, count in personas_of(counts):
        user = bench_user(f"bench-officer-{agency.pk}", Role.OFFICER, agency)
        # The seeder hands steps to the demo accounts wherever they are: this agency's handled ones become theirs.
        if open_steps.filter(agency=agency, handler__isnull=False).exclude(handler=user).update(handler=user):
            with connection.cursor() as cursor:  # the update leaves dead index entries behind until a vacuum
                cursor.execute("VACUUM (ANALYZE, INDEX_CLEANUP ON) dossiers_dossierstep")
        mine = open_steps.filter(agency=agency, handler=user).count()
        pages = {
            "inbox: mine": "/work/?tab=mine",
            "inbox: unit": "/work/?tab=unit",
            "  unit, on track only": "/work/?tab=unit&state=on_track",
        }
        personas.append((f"officer of {agency.name}: {count:,} open steps, {mine:,} theirs", user, pages))
    return personas


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed static names
    print(f"dossiers in the database: {Dossier.objects.count():,}; {runs} requests a page")
    for label, user, pages in desk_personas() + officer_personas():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        print(label)
        for name, path in pages.items():
            p50, p95 = timed(client, path, runs)
            print(f"  {name:<22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
