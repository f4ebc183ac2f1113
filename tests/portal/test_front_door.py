"""`make run`'s path on the embedded default: fresh SQLite, no PostgreSQL or Redis named, a real server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_fresh_sqlite_portal_serves_home_and_catalogue(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["SQLITE_PATH"] = str(tmp_path / "portal.sqlite3")
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v", "0"], ["seed_demo"], ["import_procedures"]):
        done = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        catalogue = urllib.request.urlopen(f"http://127.0.0.1:{port}/procedures/?q=khai+sinh", timeout=10)
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert "Cổng Dịch vụ công" in home
    assert "Đăng ký khai sinh" in catalogue.read().decode()
    assert '"database": {"ok": true, "detail": "sqlite"}' in health
    assert '"broker": {"ok": true, "detail": "eager"}' in health
