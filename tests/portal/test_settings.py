"""Settings come from the environment: checked in fresh processes, as a deployer would start them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_TESTING", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production_configuration():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="dichvucong.example.gov.vn",
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        REDIS_URL="redis://redis.internal:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="example.gov.vn")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_defaults_without_database_and_redis_urls():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'],"
        " s.TIME_ZONE, s.LANGUAGE_CODE, s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    result = run_manage("shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "Asia/Ho_Chi_Minh",
        "vi",
        "60",
    ]


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "portal",
        "False",
        "redis://127.0.0.1:6379/3",
        "django.core.cache.backends.redis.RedisCache",
    ]
