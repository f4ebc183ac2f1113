"""p50 / p95 of the leaders' dashboard, the officer's inbox and the public lookup on two seeded databases, and the
ratio between them (issue 10: p95 < 100 ms at 1,000,000 dossiers, and at most 1.3 × the time at 100,000).

    .venv/bin/python bench/dashboard.py \\
        --small-url postgres://postgres:postgres@127.0.0.1:5432/portal_bench_100k \\
        --large-url postgres://postgres:postgres@127.0.0.1:5432/portal_bench [--runs 30]

Seed both first (bench/seed_demo.py --dossiers 100000, then 1000000) and roll the figures up on each
(`manage.py stats_refresh --rebuild`): the dashboard reads `stats.DailyFigure`. Each database is measured in its own
process, one after the other (`--measure URL` is that process: it prints JSON). Requests go through Django's test
client like bench/staff_screens.py (URL routing, middleware, queries, templates; no network), production settings
(DEBUG off), after one warm-up request each.

Pages:
- the dashboard `/dashboard/` as the province's leader (demo account `leader`) for the last month, quarter and year,
  and the year filtered to the busiest agency of the leader's scope (`agency`);
- the drill-down `/dashboard/ho-so/?measure=late&agency=…&from=…&to=…` (that agency, that year);
- an export `/dashboard/xuat/?table=agency&format=xlsx&from=…&to=…` (the year);
- the officer's inbox `/work/` (tabs "mine" and "unit") of bench/staff_screens.py's officers: the commune with the
  least work, the department with the most, the busiest agency when it is neither (that script's accounts, steps
  handed to them as it does);
- the public lookup `/tra-cuu/?ma=<a real code>` (the rate limit is raised for the run: PUBLIC_LOOKUP_LIMIT).

A page that answers 404 (not built yet on this branch) is skipped with a note; any other answer but 200 likewise,
with its status. A ratio above 1.3 is flagged only when the two p95 differ by more than NOISE_MS. Dates:
`from`/`to` are ISO dates; periods end yesterday (the seeder's data ends then).
"""

import argparse
import datetime as dt
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A ratio between two times a few milliseconds apart says nothing: it is flagged only beyond this difference.
NOISE_MS = 5.0


def measure(runs: int) -> dict:
    """In the measuring process: every page's p50 / p95 on the database of DATABASE_URL."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["PUBLIC_LOOKUP_LIMIT"] = "1000000"  # one client asks hundreds of times a minute here

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from dossiers.models import Dossier
    from stats.models import DailyFigure
    from stats.scope import figures_scope

    staff_screens = importlib.import_module("staff_screens")  # bench/, put on the path above

    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed static names
    today = timezone.localdate()
    last = today - dt.timedelta(days=1)

    def period(days: int) -> str:
        return f"from={(today - dt.timedelta(days=days)).isoformat()}&to={last.isoformat()}"

    leader = User.objects.get(username="leader")
    scope = figures_scope(leader)
    scope = list(scope) if scope is not None else None
    handled = (
        Dossier.objects.filter(**({"processing_agency__in": scope} if scope is not None else {}))
        .values_list("processing_agency")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    busiest = handled[0][0]
    year = period(365)
    pages: list[tuple[str, User, str]] = [
        ("dashboard: month", leader, f"/dashboard/?{period(30)}"),
        ("dashboard: quarter", leader, f"/dashboard/?{period(91)}"),
        ("dashboard: year", leader, f"/dashboard/?{year}"),
        ("dashboard: year, one agency", leader, f"/dashboard/?{year}&agency={busiest}"),
        ("drill-down: late, one agency", leader, f"/dashboard/ho-so/?measure=late&agency={busiest}&{year}"),
        ("export: agencies, xlsx", leader, f"/dashboard/xuat/?table=agency&format=xlsx&{year}"),
    ]
    names = ["small commune", "large department", "busiest agency"]
    for index, (_label, user, paths) in enumerate(staff_screens.officer_personas()):
        for name, path in paths.items():
            if "on track" not in name:
                pages.append((f"inbox ({names[index]}): {name.split(': ')[-1]}", user, path))
    with_code = Dossier.objects.exclude(code=None).order_by("id").values_list("code", flat=True)
    code = with_code[Dossier.objects.count() // 2]  # a dossier from the middle of the table
    pages.append(("public lookup by code", None, f"/tra-cuu/?ma={code}"))

    results: dict[str, dict] = {}
    clients: dict[int | None, Client] = {}
    for name, user, path in pages:
        key = user.pk if user else None
        if key not in clients:
            clients[key] = Client(HTTP_HOST="localhost")
            if user is not None:
                clients[key].force_login(user)
        client = clients[key]
        response = client.get(path, secure=True)  # warm: session, caches, the calendar
        if response.status_code != 200:
            results[name] = {"path": path, "status": response.status_code}
            continue
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path, secure=True)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        results[name] = {"path": path, "p50": statistics.median(times), "p95": p95}
    return {
        "dossiers": Dossier.objects.count(),
        "figure_rows": DailyFigure.objects.count(),
        "load": os.getloadavg()[0],
        "pages": results,
    }


def run(url: str, runs: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--runs", str(runs)], env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"measuring {url} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small-url", help="the 100,000-dossier database")
    parser.add_argument("--large-url", help="the 1,000,000-dossier database")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--measure", action="store_true", help="(internal) measure DATABASE_URL, print JSON")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return
    if not (args.small_url and args.large_url):
        parser.error("--small-url and --large-url are required")
    print(f"{args.runs} requests a page, after one warm-up; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    small = run(args.small_url, args.runs)
    large = run(args.large_url, args.runs)
    print(f"small: {small['dossiers']:,} dossiers, {small['figure_rows']:,} figure rows, load {small['load']:.2f}")
    print(f"large: {large['dossiers']:,} dossiers, {large['figure_rows']:,} figure rows, load {large['load']:.2f}")
    print(f"{'page':<40} {'small p50':>10} {'p95':>8} {'large p50':>10} {'p95':>8} {'p95 ratio':>10}")
    for name, big in large["pages"].items():
        little = small["pages"].get(name, {})
        if "status" in big or "status" in little:
            status = big.get("status") or little.get("status")
            note = "not built yet" if status == 404 else "check the page"
            print(f"{name:<40} skipped: answered {status} ({note})  {big['path']}")
            continue
        ratio = big["p95"] / little["p95"] if little.get("p95") else float("nan")
        flags = []
        if big["p95"] >= 100:
            flags.append("p95 ≥ 100 ms")
        if ratio > 1.3 and big["p95"] - little["p95"] > NOISE_MS:
            flags.append("ratio > 1.3")
        print(
            f"{name:<40} {little['p50']:8.1f}ms {little['p95']:6.1f}ms {big['p50']:8.1f}ms {big['p95']:6.1f}ms "
            f"{ratio:9.2f}  {', '.join(flags)}"
        )


if __name__ == "__main__":
    main()
