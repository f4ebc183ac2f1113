"""Fixtures shared by every test package."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.second_factor import demo_session_verified, is_staff_account
from accounts.services import staff_assign
from agencies.models import Agency
from agencies.services import agency_tree_load
from portal.ratelimit import rate_limit_reset
from procedures.selectors import GENERATION_KEY


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Stored files (uploads, the result PDF generated at T15) go to the session's temporary directory, never to
    the developer's var/media. A test that needs an empty directory sets its own (tests/dossiers/files_fixtures.py).
    """
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _rate_limits():
    """Every test starts with no request counted against the public lookup's limit (portal.ratelimit), and with
    the catalogue search's cached filter lists forgotten (a rolled-back test sends no signal)."""
    rate_limit_reset()
    cache.delete(GENERATION_KEY)


@pytest.fixture(autouse=True)
def _malware_scanner(request, monkeypatch):
    """Uploads are scanned by a stand-in that finds every file clean, so a test does not depend on a running clamd.
    Tests of the scanner itself ask for `clamav` (the real daemon) or patch `dossiers.scanning` themselves."""
    if "clamav" in request.fixturenames:
        return
    from dossiers import scanning

    def clean(fileobj, **_kwargs):
        fileobj.seek(0)
        return scanning.Verdict(clean=True)

    monkeypatch.setattr(scanning, "scan_stream", clean)


@pytest.fixture
def clamav(settings) -> str:
    """The real ClamAV daemon named by CLAMAV_ADDRESS (`.ci/run` starts one with bin/clamd-local and exports it)."""
    address = os.environ.get("CLAMAV_ADDRESS", "")
    if not address:
        pytest.skip("CLAMAV_ADDRESS is not set: run bin/clamd-local and export the address it prints (CI does)")
    settings.CLAMAV_ADDRESS = address
    return address


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(request, monkeypatch):
    """`client.force_login(staff)` also passes the TOTP step (docs/authentication.md): the staff account gets its
    demo TOTP device and the session records it as django_otp.login does, so tests about other things need not
    repeat the step. Tests of the step itself are marked `second_factor` and get the plain force_login."""
    if request.node.get_closest_marker("second_factor"):
        return
    plain = Client.force_login

    def force_login(self, user, backend=None):
        plain(self, user, backend)
        if is_staff_account(user):
            demo_session_verified(self.session, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _no_idle_timeout_while_travelling(request, settings):
    """A module that moves the clock (time_machine) may sign staff in at one time and act at another: the idle
    timeout (accounts/middleware.py) would sign them out. It is off there, unless a test is marked
    `idle_timeout` (the tests of the timeout itself)."""
    module = getattr(request, "module", None)
    if module is not None and "time_machine" in vars(module) and not request.node.get_closest_marker("idle_timeout"):
        settings.STAFF_SESSION_IDLE_SECONDS = 0
        settings.CITIZEN_SESSION_IDLE_SECONDS = 0
        settings.SESSION_COOKIE_AGE = 14 * 24 * 3600


@pytest.fixture
def demo_agencies(db) -> dict[str, Agency]:
    """The demo province's agency tree, keyed by electronic identifier."""
    return {agency.e_identifier: agency for agency in agency_tree_load()}


@pytest.fixture
def make_staff(demo_agencies):
    def make(username: str, *, role: Role, agency_id: str = "000.00.06.H56") -> User:
        user = User.objects.create_user(username=username, password="Demo@2026", full_name=username.title())
        staff_assign(user=user, agency=demo_agencies[agency_id], role=role)
        return user

    return make


@pytest.fixture
def seeded(db):
    """The data `make run` loads: demo agencies and users, then the shipped catalogue."""
    call_command("seed_demo", force=True, verbosity=0)
    call_command("import_procedures", verbosity=0)
