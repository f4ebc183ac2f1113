"""Headless Chromium through Playwright, with Debian's browser (never a downloaded one)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; Django must allow its ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def shoot(page):
    """Save the page as people see it, at 1280 px and at 375 px (a phone), under var/screenshots/ to look at."""

    def shoot(name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return shoot


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the login page as one of the demo accounts (password of `seed_demo`)."""

    def sign_in(username: str, password: str = "Demo@2026") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()

    return sign_in
