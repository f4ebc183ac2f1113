"""Check 35 — the database is down.

The check demands that with PostgreSQL unavailable the pages answer a 503 "Hệ thống đang bảo trì / service
temporarily unavailable" page within the proxy's timeout, and that nothing is half-written once the database is back.

The first tests point the live connection at a closed port of this machine (127.0.0.1:1), as a stopped server looks:
public pages, a signed-in citizen's page and the API answer 503 (the page in Vietnamese with its English line, JSON
`{"code": "service_unavailable"}` under /api/), quickly, and work again once the connection points back. Overriding
the DATABASES setting would not do: Django keeps the connection it already built, so the test changes that
connection's own settings. The production settings bound the connect wait (a server that drops packets instead of
refusing). Finally a change whose transaction loses the database half-way (the status row written, the event row
refused) answers 503 and leaves the dossier exactly as it was: status, revision and history.
"""

# The engine's fixtures are imported; a test's parameter of the same name is how they are used.
# ruff: noqa: F811

import json
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError

from dossiers import services
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
    submitted,
)
from tests.portal.test_settings import run_manage

# The proxy in front of the portal gives up after 60 s (nginx's default proxy_read_timeout); the 503 comes far sooner.
PROXY_TIMEOUT = 60


@pytest.fixture
def stop_database():
    """`stop_database()`: the connection's server is a closed port from then until the test ends."""
    saved = dict(connection.settings_dict)

    def stop():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")

    yield stop
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_pages_answer_the_maintenance_page_quickly(client, people, stop_database):
    client.force_login(people["citizen"])  # the session row is written before the server stops
    stop_database()
    for page in ("/", "/procedures/", "/ho-so-cua-toi/", "/tra-cuu/?ma=H56-1"):
        started = time.monotonic()
        response = client.get(page)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, page
        assert elapsed < 10, f"{page} took {elapsed:.1f} s"
        html = response.content.decode()
        assert "Hệ thống đang bảo trì" in html
        assert "Service temporarily unavailable" in html
        assert response["Retry-After"] == "120"
        assert "Connection refused" not in html
        assert "OperationalError" not in html

    response = client.get("/api/v1/procedures/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.django_db(transaction=True)
def test_the_pages_work_again_once_the_database_is_back(client):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        assert client.get("/procedures/").status_code == 503
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert client.get("/procedures/").status_code == 200


def test_production_bounds_the_wait_for_an_unreachable_database_and_redis():
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.DATABASES['default']['OPTIONS']['connect_timeout'],"
        " s.CACHES['default']['OPTIONS']['socket_connect_timeout'], s.CACHES['default']['OPTIONS']['socket_timeout']]))"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DEBUG="0",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="dichvucong.example.gov.vn",
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        REDIS_URL="redis://redis.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    database, redis_connect, redis_read = json.loads(result.stdout)
    assert 0 < database <= 10
    assert 0 < redis_connect <= 5
    assert 0 < redis_read <= 10
    assert database + redis_connect + redis_read < PROXY_TIMEOUT


@pytest.mark.django_db
def test_a_change_that_loses_the_database_half_way_leaves_nothing_written(client, people, submitted, monkeypatch):
    dossier = submitted()
    before = (dossier.status, dossier.revision, DossierEvent.objects.filter(dossier=dossier).count())
    assert dossier.status == Status.SUBMITTED

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The status row is updated first; the history row is where the connection drops.
    monkeypatch.setattr(services, "_event", lost)
    client.force_login(people["citizen"])
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"confirm": "on", "note": "Nộp nhầm"})

    assert response.status_code == 503
    assert "Hệ thống đang bảo trì" in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.revision, DossierEvent.objects.filter(dossier=dossier).count()) == before

    monkeypatch.undo()
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"confirm": "on", "note": "Nộp nhầm"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert DossierEvent.objects.filter(dossier=dossier).count() == before[2] + 1


@pytest.mark.django_db
def test_a_counter_intake_that_loses_the_database_leaves_no_dossier_and_no_code(receive, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_event", lost)
    with pytest.raises(OperationalError):
        receive()
    assert not Dossier.objects.exists()

    monkeypatch.undo()
    assert receive().code.endswith("-0001")  # the failed intake consumed no number
