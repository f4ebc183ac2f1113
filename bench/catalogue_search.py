"""p50 / p95 of the public catalogue's search (/procedures/) with 2,000 procedures in force (issue 9, point 10).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_catbench \\
        .venv/bin/python bench/catalogue_search.py [--procedures 2000] [--runs 60]

Drops and recreates the database named in DATABASE_URL (it must contain "bench"; see bench/seed_demo.py), migrates
it, loads the demo agencies, then imports a generated catalogue: the shipped procedures as they are, then copies of
them under new codes with names varied the way real ones vary ("… có yếu tố nước ngoài", "Cấp lại …", "… cấp tỉnh")
and the same documents, results and legal bases — so "chứng thực" is in the documents of most of them, as it is in
the national catalogue. Each search goes through Django's test client (routing, middleware, the queries, the
template; no network) and the median and 95th percentile are printed in ms. Target: p95 < 50 ms.
"""

import argparse
import copy
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Production settings (DEBUG off: no query log kept), with a throwaway key and the test client's host.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

# How generated names vary from the shipped ones: (prefix, suffix), applied in turn.
VARIANTS = [
    ("", " có yếu tố nước ngoài"),
    ("Cấp lại: ", ""),
    ("", " (cấp tỉnh)"),
    ("Điều chỉnh nội dung ", ""),
    ("", " đối với người nước ngoài cư trú tại Việt Nam"),
    ("Gia hạn ", ""),
    ("", " trong khu công nghiệp, khu kinh tế"),
    ("Thu hồi, hủy bỏ ", ""),
    ("", " cho hộ gia đình, cá nhân"),
    ("Liên thông ", " và cấp thẻ bảo hiểm y tế"),
]

SEARCHES = [
    ("exact name", {"q": "dang ky khai sinh"}),
    ("with accents", {"q": "Đăng ký khai sinh"}),
    ("two words", {"q": "chung thuc"}),
    ("two words, everywhere", {"q": "chung thuc", "everywhere": "on"}),
    ("one common word", {"q": "cap"}),
    ("text only", {"q": "giay chung sinh"}),
    ("no match", {"q": "ho chieu ngoai giao"}),
    ("code prefix", {"q": "1.001193"}),
    ("words + level", {"q": "khai sinh", "level": "commune"}),
    ("no query, page 40", {"page": "40"}),
]


def generated_catalogue(size: int) -> dict:
    """The shipped catalogue, then copies of it with varied names and new codes up to `size` procedures."""
    from procedures.importer import DEFAULT_PATH

    catalogue = json.loads(Path(DEFAULT_PATH).read_text(encoding="utf-8"))
    shipped = catalogue["procedures"]
    procedures = list(shipped)
    n = 0
    while len(procedures) < size:
        base = shipped[n % len(shipped)]
        prefix, suffix = VARIANTS[(n // len(shipped)) % len(VARIANTS)]
        item = copy.deepcopy(base)
        item["code"] = f"9.{n:06d}"
        name = base["name"][0].lower() + base["name"][1:] if prefix else base["name"]
        item["name"] = f"{prefix}{name}{suffix} — mẫu {n // (len(shipped) * len(VARIANTS)) + 1}"
        procedures.append(item)
        n += 1
    catalogue["procedures"] = procedures
    return catalogue


def timed(client, params: dict, runs: int) -> tuple[float, float, int]:
    """(p50, p95) in ms and the result count the page shows."""
    response = client.get("/procedures/", params, secure=True)  # warm
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get("/procedures/", params, secure=True)
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20)[18]
    found = re.search(r"Tìm thấy ([\d.,]+) thủ tục", response.content.decode())
    return statistics.median(times), p95, int(re.sub(r"\D", "", found.group(1))) if found else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres:postgres@127.0.0.1:5432/portal_catbench"
        )

    from seed_demo import recreate

    name = recreate(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from procedures.models import ProcedureVersion

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # the agencies the catalogue links
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalogue.json"
        path.write_text(json.dumps(generated_catalogue(args.procedures), ensure_ascii=False), encoding="utf-8")
        call_command("import_procedures", str(path), verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after an import: the planner's row counts
    in_force = ProcedureVersion.objects.in_force().count()
    print(f"database {name}: {in_force:,} procedures in force, built in {time.perf_counter() - started:.1f} s\n")

    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed static names
    client = Client(HTTP_HOST="localhost")
    print(f"{'search':<24} {'results':>8} {'p50 ms':>8} {'p95 ms':>8}   ({args.runs} runs each)")
    worst = 0.0
    for label, params in SEARCHES:
        p50, p95, count = timed(client, params, args.runs)
        worst = max(worst, p95)
        print(f"{label:<24} {count:>8,} {p50:>8.1f} {p95:>8.1f}")
    print(f"\nworst p95: {worst:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
