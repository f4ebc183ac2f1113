"""Check 26 — fuzzing and static analysis.

What the check demands: Schemathesis, run in-process over the OpenAPI schema once per role, finds no 5xx and no
response that violates the schema; bandit reports no high-severity finding; no serializer or form declares
`fields = "__all__"` (a grep test).

How the tests show it:
- the schema the portal serves (`/api/schema/`) is loaded through the WSGI application itself, narrowed to the
  `/api/v1/` paths, and every operation is fuzzed with a bounded number of generated requests as an anonymous
  caller, a citizen, a desk officer, a processing officer and a province leader (a session cookie and a CSRF pair,
  so writes reach the view); each answer is checked with Schemathesis' `not_a_server_error` and
  `response_schema_conformance`; every other generated case names a real dossier, so the object URLs are fuzzed
  beyond their 404. A test also fails when the schema holds no `/api/v1/` operation, so an empty run
  cannot pass for a clean one;
- every Python file of the project (not the virtualenv) is searched for a `fields = "__all__"` declaration;
- bandit runs over the project's Python (virtualenv, tests and migrations excluded) at high severity and must find
  nothing — the same command as `make lint`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.roles import Role
from api.tokens import token_issue
from portal.wsgi import application
from tests.dossiers import conftest as engine

agencies, applicant_for, make_version = engine.agencies, engine.applicant_for, engine.make_version
people, receive = engine.people, engine.receive

# "officer-token": the processing officer through an API token (Authorization: Bearer), no session cookie.
ROLES = ("anonymous", "citizen", Role.DESK, Role.OFFICER, Role.LEADER, "officer-token")
PEOPLE = {"citizen": "citizen", Role.DESK: "desk", Role.OFFICER: "officer", Role.LEADER: "leader"}
EXAMPLES = 6  # per operation and role: five roles over the v1 operations stay well under a minute
CSRF = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: an unmasked CSRF secret, sent as cookie and header
PROJECT = Path(settings.BASE_DIR)


@pytest.fixture
def in_process():
    """Call the WSGI application directly as Django's test client does: the request signals must not close the
    test's database connection (and with it the transaction the test runs in)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def v1_schema():
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    return schema.include(path_regex=r"^/api/v1/")


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(client, people, receive, in_process, role):
    dossier = receive("2026-03-02 10:00")  # something for the lists to hold, and a dossier for the object URLs
    cookies = {"csrftoken": CSRF}
    if role == "officer-token":
        _token, raw = token_issue(user=people["officer"], name="fuzz")
        cookies = {}
        headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "vi"}
    elif role != "anonymous":
        client.force_login(people[PEOPLE[role]])
        cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    if role != "officer-token":
        headers = {"X-CSRFToken": CSRF, "Accept-Language": "vi"}
    operations = [result.ok() for result in v1_schema().get_all_operations()]
    assert operations, "the schema has no /api/v1/ operation: nothing would be fuzzed"
    failures: list[str] = []
    calls = iter(range(1_000_000))

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            if next(calls) % 2 and "code" in (case.path_parameters or {}):
                # Every other case names the real dossier, so the object URLs are fuzzed past their 404.
                case.path_parameters["code"] = dossier.code
                if "action" in case.path_parameters:
                    case.path_parameters["action"] = "assign"
            response = case.call(headers=headers, cookies=cookies)
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as error:  # a check's failure group: recorded with the request that caused it
                failures.append(f"{case.method} {case.formatted_path} as {role}: {type(error).__name__}: {error}"[:600])

        fuzz()
    assert failures == []


FIELDS_ALL = re.compile(r"""^\s*fields\s*=\s*["']__all__["']""", re.MULTILINE)


def project_python() -> list[Path]:
    skip = {".venv", "node_modules", "var", ".git"}
    return [path for path in PROJECT.rglob("*.py") if not skip & set(path.relative_to(PROJECT).parts)]


def test_no_serializer_or_form_exposes_all_fields():
    files = project_python()
    assert len(files) > 100  # the walk found the project
    offenders = [str(path.relative_to(PROJECT)) for path in files if FIELDS_ALL.search(path.read_text("utf-8"))]
    assert offenders == [], "list the fields one by one"


def test_the_grep_would_catch_it():
    assert FIELDS_ALL.search('class Meta:\n    model = Dossier\n    fields = "__all__"\n')
    assert not FIELDS_ALL.search('fields = ["code", "status"]  # not "__all__"\n')


def test_bandit_reports_no_high_severity_finding():
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(  # noqa: S603 - a fixed command over the project's own files
        [str(bandit), "-q", "-r", ".", "-c", "pyproject.toml", "-lll"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
