"""The Content-Security-Policy in a real browser: what an injected page fragment tries is refused, and the refusal is
what tests/e2e/conftest.py catches to fail any other browser test."""

import pytest

pytestmark = pytest.mark.e2e


def test_injected_inline_script_and_handler_are_refused(page, live_server, csp_violations):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
            window.ran = [];
            const script = document.createElement("script");
            script.textContent = "window.ran.push('inline script')";
            document.body.appendChild(script);
            const image = '<img src="data:," onerror="window.ran.push(\\'handler\\')">';
            document.body.insertAdjacentHTML("beforeend", image);
        }"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("window.ran") == []
    assert any("inline script" in text for text in csp_violations), csp_violations
    assert any("inline event handler" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # seen and expected: the other tests fail on any


def test_a_script_with_the_requests_nonce_runs(page, live_server):
    response = page.goto(f"{live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    page.evaluate(
        """(nonce) => {
            const script = document.createElement("script");
            script.nonce = nonce;
            script.textContent = "window.nonced = true";
            document.body.appendChild(script);
        }""",
        nonce,
    )
    assert page.evaluate("window.nonced") is True
