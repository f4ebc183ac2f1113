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


# What Chromium writes to the console when the Content-Security-Policy refuses something (portal.middleware).
CSP_VIOLATION = ("Content Security Policy", "Refused to")


@pytest.fixture
def csp_violations(request) -> list[str]:
    """The Content-Security-Policy refusals Chromium reported on the console so far (a test of the policy itself
    reads and clears them)."""
    violations: list[str] = []
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")

        def listen(message) -> None:
            if any(marker in message.text for marker in CSP_VIOLATION):
                violations.append(f"{page.url}: {message.text}")

        page.on("console", listen)
    return violations


@pytest.fixture(autouse=True)
def _no_csp_violation(request, csp_violations):
    """Fail a browser test when a page it opened broke the Content-Security-Policy (an inline script or style, a
    third-party host): the console reports it, the page may look fine but the refused part did not run."""
    yield
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# axe-core is vendored (tests/e2e/vendor/axe-core/README.md): the tests never fetch it.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.1 levels A and AA, the level the issue asks of every public and citizen page.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# The innermost elements sticking out past the viewport's right edge: what makes a page scroll sideways.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !el.querySelector("*"))
    .slice(0, 8)
    .map((el) => `right edge at ${Math.round(el.getBoundingClientRect().right)} px: ${el.outerHTML.slice(0, 160)}`);
}"""


def sideways_scroll(page) -> list[str]:
    """At the current width: why the page scrolls sideways (the elements that overflow), or [] when it fits."""
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return []
    return page.evaluate(OVERFLOW_JS) or ["the page is wider than the window"]


@pytest.fixture
def no_sideways_scroll():
    """`no_sideways_scroll(page)`: fail when the page, 375 px wide (a phone), scrolls sideways (WCAG 1.4.10)."""

    def check(page, name: str = "") -> None:
        page.set_viewport_size(PHONE)
        try:
            problems = sideways_scroll(page)
        finally:
            page.set_viewport_size(DESKTOP)
        assert not problems, f"{name or page.url} scrolls sideways at 375 px:\n" + "\n".join(problems)

    return check


def axe_report(name: str, violations: list[dict]) -> str:
    """The violations as a reader fixes them: rule, impact, what it asks, and the first elements it caught."""
    lines = [f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {name}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:3]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(violation["nodes"]) > 3:
            lines.append(f"    … and {len(violation['nodes']) - 3} more")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """`axe(page, "step name")`: run axe-core's WCAG 2.1 A/AA rules on the page as it is; fail listing each
    violation. Call it on every page a journey passes through."""

    def check(page, name: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: a <script> tag added to the page would be refused by the
            # portal's Content-Security-Policy, as it should be.
            page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        result = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
        assert not result["violations"], axe_report(name, result["violations"])

    return check


@pytest.fixture
def shoot(page):
    """Save the page as people see it, at 1280 px and at 375 px (a phone), under var/screenshots/ to look at, and
    fail when at 375 px it scrolls sideways."""

    def shoot(name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
        page.set_viewport_size(PHONE)
        try:
            page.screenshot(path=SHOTS / f"{name}-375.png", full_page=True)
            problems = sideways_scroll(page)
        finally:
            page.set_viewport_size(DESKTOP)
        assert not problems, f"{name} scrolls sideways at 375 px:\n" + "\n".join(problems)

    return shoot


def totp_code_for(username: str) -> str:
    """The current code of a staff account's demo TOTP device (docs/authentication.md "Demo accounts"), as the
    authenticator app would show it. The device's last used step is forgotten first, so one test may sign the same
    account in twice within 30 seconds (tests/security/test_c10_second_factor.py proves a code works once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.second_factor import current_code, demo_device

    device = demo_device(User.objects.get(username=username))
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return current_code(device)


def sign_in_page(page, base_url: str, username: str, password: str = "Demo@2026") -> None:
    """Sign in on `page` through the login page; a staff account then passes the TOTP step with its demo device's
    current code (for a page of its own browser context, e.g. one without JavaScript)."""
    from accounts.models import User
    from accounts.second_factor import demo_device, is_staff_account

    user = User.objects.filter(username=username).first()
    if user is not None and is_staff_account(user):
        demo_device(user)  # enrolled already, as seed_demo does for its accounts
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if "/accounts/otp/" in page.url:
        page.get_by_label("Mã xác thực").fill(totp_code_for(username))
        page.get_by_role("button", name="Xác thực").click()
        page.wait_for_load_state()


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the login page as one of the demo accounts (password of `seed_demo`); a staff account then
    passes the TOTP step with its demo device's current code."""

    def sign_in(username: str, password: str = "Demo@2026") -> None:
        sign_in_page(page, live_server.url, username, password)

    return sign_in
