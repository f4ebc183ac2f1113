"""Time the dossier list query of each demo role on a seeded database (run bench/seed_demo.py first).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/dossier_lists.py

Prints, per user: rows visible, the first page (20 rows with what a list shows) and the count, best of 5, in ms.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from accounts.models import User  # noqa: E402
from dossiers.models import Dossier  # noqa: E402
from dossiers.selectors import dossier_list  # noqa: E402


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    print(f"dossiers in the database: {Dossier.objects.count():,}")
    for username in ("citizen", "desk", "officer", "head", "leader", "admin"):
        user = User.objects.get(username=username)
        qs = dossier_list(user=user)
        page = best(lambda qs=qs: list(qs[:20]))
        count = best(qs.count)
        print(f"  {username:<8} visible {qs.count():>9,}   first page {page:7.1f} ms   count {count:7.1f} ms")


if __name__ == "__main__":
    main()
