"""Load baseline (security check 40): locust on loopback over a mixed journey against the portal under gunicorn.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/load.py [--minutes 5] [--users 12] [--host http://127.0.0.1:8000]

Not a test: it needs a seeded database (bench/seed_demo.py, then `manage.py stats_refresh --rebuild`) and minutes.
What it does, in order:

1. Builds the run's plan from the database (Django ORM): the demo accounts (citizen, desk, officer, leader; password
   `--password`), online procedures the citizen can start, ready intake forms for the desk's agency, and, when the
   accounts have a confirmed django-otp TOTP device, its secret — so the journey passes a second-factor page.
2. Collects the static files (DEBUG off serves the hashed ones), then counts the SQL queries of each list page
   for the persona with the smallest list and the one with the largest (the desk's queue and the officer's inbox
   of bench/staff_screens.py's personas, the dashboard for a commune's leader and the province's) through Django's
   test client, and flags a page whose count grows with its list.
3. Unless `--host` is given, starts gunicorn (`portal.wsgi`, DEBUG off, the same DATABASE_URL and REDIS_URL,
   uploads under var/bench/media) on loopback, and waits for /healthz.
4. Runs locust headless (bench/locustfile.py) for `--minutes`, then prints the requests, the error rate (target
   < 0.1 %) and p50/p95 per request kind (target p95 < 1 s for pages, < 3 s for the upload and its check) and the
   ratio of each p95 to the previous run on the same database (kept in var/bench/load-<database>.json).

No Celery worker is started: the outbox messages the journey writes wait in the database (the web tier is what is
measured). The script exits 1 when a target is missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Production settings (DEBUG off), a throwaway key, loopback hosts; the portal is served over plain HTTP here.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.pop("PORTAL_TESTING", None)

PAGE_P95 = 1.0  # seconds
UPLOAD_P95 = 3.0
ERROR_RATE = 0.001
UPLOAD = "upload 1 MB PDF + scan"


def django_setup():
    import django

    django.setup()


# --- 1. The plan ---------------------------------------------------------------------------------------------


def intake_form(version) -> dict:
    """The intake form as the desk sends it (tests/desk/test_intake.py's `post_data`), every document ticked."""
    from dossiers.models import FeeMode, ReturnMethod

    form = {
        "procedure": version.procedure.code,
        "id_type": "cccd",
        "id_number": "038190009999",
        "kind": "1",
        "name": "Nguyễn Văn Tải",
        "phone": "0912000111",
        "email": "tai@example.vn",
        "address": "5 Trần Phú, phường Hạc Thành",
        "fee_mode": FeeMode.BEFORE,
        "return_method": ReturnMethod.COUNTER,
        "channel": "1",
        "summary": "Hồ sơ thử tải",
        "sets_count": "1",
    }
    for document in version.documents.order_by("order"):
        form.update({f"doc_{document.pk}_checked": "on", f"doc_{document.pk}_form": "original"})
        form[f"doc_{document.pk}_count"] = "1"
    fee = version.fees.order_by("order", "pk").first()
    if fee is not None:
        form.update(fees=str(fee.pk), amount=str(fee.amount), payment_method="cash", receipt_number="0001234")
    return form


def totp_secrets(usernames: list[str]) -> dict[str, str]:
    """The hex key of each account's confirmed TOTP device, when django-otp is installed and one exists."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return {}
    secrets = {}
    for username in usernames:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is not None:
            secrets[username] = device.key
    return secrets


def build_plan(password: str) -> dict:
    from accounts.models import User
    from procedures.models import ProcedureVersion

    accounts = {"citizen": "citizen", "desk": "desk", "officer": "officer", "leader": "leader"}
    missing = [u for u in accounts.values() if not User.objects.filter(username=u, is_active=True).exists()]
    if missing:
        sys.exit(f"the demo accounts {missing} are missing: seed the database with bench/seed_demo.py")
    current = ProcedureVersion.objects.filter(procedure__current_version=models_f("pk"))
    online = []
    for version in current.filter(online_mode="full").select_related("procedure").order_by("procedure__code"):
        agency = version.agencies.first()
        documents = version.documents.count()
        if agency is not None and 1 <= documents <= 3:
            online.append({"code": version.procedure.code, "agency": agency.pk})
        if len(online) == 10:
            break
    desk = User.objects.select_related("staff_profile__agency").get(username="desk")
    forms = [
        intake_form(version)
        for version in current.filter(agencies=desk.staff_profile.agency).select_related("procedure")[:10]
    ]
    if not online or not forms:
        sys.exit("no online procedure for the citizen or none at the desk's agency: import the catalogue")
    return {
        "password": password,
        "accounts": accounts,
        "procedures": online,
        "intake": forms,
        "totp": totp_secrets(list(accounts.values())),
    }


def models_f(name):
    from django.db.models import F

    return F(name)


# --- 2. Query counts -------------------------------------------------------------------------------------------


def query_counts() -> list[tuple[str, str, int, str, int, bool]]:
    """(page, small persona, queries, large persona, queries, grows?) for each list page."""
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from staff_screens import bench_user, desk_personas, officer_personas

    from accounts.models import User
    from accounts.roles import Role
    from accounts.second_factor import demo_session_verified, is_staff_account
    from agencies.models import Agency
    from dossiers.models import Dossier, DossierStep

    def count(user, path) -> int:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        if is_staff_account(user):  # past the second factor, as after the TOTP step (docs/authentication.md)
            demo_session_verified(client.session, user)
        client.get(path)  # warm: session, caches, the calendar
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries)

    def size(persona) -> int:
        return int(persona[0].split(": ")[1].split()[0].replace(",", ""))

    # The smallest list: the agency with the fewest dossiers received (desk) or open steps (officer), none included.
    def quietest(agencies, counts: dict[int, int]) -> tuple[Agency, int]:
        agency = min(agencies, key=lambda a: (counts.get(a.pk, 0), a.pk))
        return agency, counts.get(agency.pk, 0)

    received = dict(Dossier.objects.values_list("receiving_agency").annotate(n=Count("id")).order_by())
    open_steps = DossierStep.objects.filter(finished_at__isnull=True)
    steps = dict(open_steps.values_list("agency").annotate(n=Count("id")).order_by())
    quiet_desk, n_desk = quietest(Agency.objects.filter(desks__is_active=True).distinct(), received)
    quiet_unit, n_unit = quietest(Agency.objects.all(), steps)
    small = {
        Role.DESK: (
            f"desk of {quiet_desk.name}: {n_desk:,} dossiers received",
            bench_user(f"bench-desk-{quiet_desk.pk}", Role.DESK, quiet_desk),
        ),
        Role.OFFICER: (
            f"officer of {quiet_unit.name}: {n_unit:,} open steps",
            bench_user(f"bench-officer-{quiet_unit.pk}", Role.OFFICER, quiet_unit),
        ),
    }
    rows = []
    for role, personas in ((Role.DESK, desk_personas()), (Role.OFFICER, officer_personas())):
        small_label, small_user = small[role]
        large_label, large, pages = max(personas, key=size)
        for page, path in pages.items():
            if page.startswith(("  search", "  filter")):
                continue  # the search and filter paths name the persona's own data
            a, b = count(small_user, path), count(large, path)
            rows.append((f"{page.strip()} {path}", small_label, a, large_label, b, b > a))
    commune, province = User.objects.get(username="leader_xa"), User.objects.get(username="leader")
    a, b = count(commune, "/dashboard/"), count(province, "/dashboard/")
    rows.append(("dashboard /dashboard/", "leader of a commune", a, "leader of the province", b, b > a))
    return rows


def short(persona: str) -> str:
    """ "desk of <agency>: 24,213 dossiers received" → "<agency, cut>: 24,213 dossiers received"."""
    who, _sep, size = persona.partition(": ")
    who = who.split(" of ", 1)[-1]
    return f"{who[: 38 - len(size)]}: {size}" if size else persona


# --- 3. The server ---------------------------------------------------------------------------------------------


def serve(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "MEDIA_ROOT": str(BENCH / "media")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", "60"]
    log = (BENCH / "gunicorn.log").open("ab")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310 - loopback
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn stopped; see {BENCH / 'gunicorn.log'}")
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


# --- 4. Locust and the figures -----------------------------------------------------------------------------------


def run_locust(host: str, minutes: float, users: int, spawn_rate: float, plan_path: Path) -> Path:
    prefix = BENCH / "locust"
    locust = Path(sys.executable).with_name("locust")
    command = [str(locust), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", host]
    command += ["-u", str(users), "-r", str(spawn_rate), "-t", f"{int(minutes * 60)}s", "--csv", str(prefix)]
    command += ["--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"]
    subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_PLAN": str(plan_path)}, check=True)
    return prefix.with_name(prefix.name + "_stats.csv")


def read_stats(path: Path) -> tuple[dict, dict]:
    rows, total = {}, {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"] or 0) / 1000,
                "p95": float(row["95%"] or 0) / 1000,
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                rows[f"{row['Type']} {row['Name']}"] = figures
    return rows, total


# Signing in hashes the password (PBKDF2, slow by design) once per simulated user: reported, not held to a target.
NO_TARGET = ("sign-in",)


def report(rows: dict, total: dict, previous: dict | None) -> bool:
    ok = True
    before = (previous or {}).get("rows", {})
    print(f"\n{'request':<44} {'n':>6} {'err':>5} {'p50 s':>7} {'p95 s':>7} {'target':>7} {'p95 ratio':>9}")
    for name, f in sorted(rows.items()):
        target = UPLOAD_P95 if UPLOAD in name else PAGE_P95
        ratio = f["p95"] / before[name]["p95"] if before.get(name, {}).get("p95") else None
        missed = f["p95"] >= target and not name.split(" ", 1)[1].startswith(NO_TARGET)
        ok &= not missed
        print(
            f"{name[:44]:<44} {f['requests']:>6} {f['failures']:>5} {f['p50']:>7.3f} {f['p95']:>7.3f} "
            f"{target:>6.0f}s {'' if ratio is None else f'{ratio:.2f}':>9}{'  MISSED' if missed else ''}"
        )
    rate = total["failures"] / total["requests"] if total.get("requests") else 1.0
    ok &= rate < ERROR_RATE
    print(f"\nrequests {total.get('requests', 0):,}, errors {total.get('failures', 0):,} ({rate:.3%}; target < 0.1 %)")
    if previous:
        ratio = total["p95"] / previous["total"]["p95"] if previous["total"].get("p95") else float("nan")
        print(f"overall p95 {total['p95']:.3f} s, {ratio:.2f} × the previous run ({previous['at']})")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--users", type=int, default=12, help="simulated users (default 12)")
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--host", default="", help="a portal already running; default: start gunicorn")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--password", default="Demo@2026", help="the demo accounts' password")
    parser.add_argument("--skip-queries", action="store_true", help="skip the query counts")
    parser.add_argument("--queries-only", action="store_true", help="only the query counts, no load")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a seeded PostgreSQL database (bench/README.md)")
    BENCH.mkdir(parents=True, exist_ok=True)
    django_setup()
    from django.db import connection

    from dossiers.models import Dossier

    database = connection.settings_dict["NAME"]
    size = Dossier.objects.count()
    load = os.getloadavg()
    print(f"database {database}: {size:,} dossiers; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")

    plan = build_plan(args.password)
    plan_path = BENCH / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    totp = sorted(plan["totp"]) or "none"
    print(f"plan: {len(plan['procedures'])} online procedures, {len(plan['intake'])} intake forms, TOTP: {totp}")

    # DEBUG off serves the collected, hashed static files (the pages name them): collect them first.
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    grows = False
    if not args.skip_queries:
        print(f"\n{'page':<44} {'small list':<40} {'q':>4}   {'large list':<40} {'q':>4}")
        for page, small, a, large, b, grew in query_counts():
            grows |= grew
            print(f"{page[:44]:<44} {short(small):<40} {a:>4}   {short(large):<40} {b:>4}{'  GROWS' if grew else ''}")
        connection.close()
    if args.queries_only:
        sys.exit(1 if grows else 0)

    server = None
    host = args.host
    if not host:
        server = serve(args.port, args.workers)
        host = f"http://127.0.0.1:{args.port}"
    started = time.time()
    try:
        stats = run_locust(host, args.minutes, args.users, args.spawn_rate, plan_path)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            shutil.rmtree(BENCH / "media", ignore_errors=True)
    end_load = os.getloadavg()
    rows, total = read_stats(stats)

    history = BENCH / f"load-{database}.json"
    previous = json.loads(history.read_text(encoding="utf-8")) if history.exists() else None
    ok = report(rows, total, previous) and not grows
    print(f"load average at the end {end_load[0]:.1f} {end_load[1]:.1f} {end_load[2]:.1f}")
    print(f"locust ran {time.time() - started:.0f} s")
    history.write_text(
        json.dumps(
            {
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": database,
                "dossiers": size,
                "minutes": args.minutes,
                "users": args.users,
                "load": [load[0], end_load[0]],
                "rows": rows,
                "total": total,
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print("targets met" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
