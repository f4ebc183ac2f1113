"""Check 24 — SSRF: the portal never becomes a proxy into its own network.

What the check demands: an outbound URL such as `http://127.0.0.1:6379/`, `http://169.254.169.254/` (the cloud
metadata service), `file:///etc/passwd`, or a host outside the allow-list is refused before any connection is made;
and a receipt whose field holds `<img src="http://169.254.169.254/">` renders without any outbound request.

How the tests show it: every socket connection and DNS lookup of the process is replaced by a recorder that fails
the test when used, then
- `portal.outbound.outbound_check` / `outbound_post` (the one guard for webhooks, at registration and at delivery)
  are given each forbidden URL: each is refused with its reason and nothing was looked up or connected — including a
  permitted host name whose DNS answer is an internal address (rebinding) and an IPv4-mapped IPv6 loopback;
- a receipt PDF is rendered with the applicant's name and address holding the `<img>` tag (escaped by the
  template: the PDF shows the text) and no connection is attempted;
- the PDF renderer's URL fetcher (`portal.outbound.pdf_url_fetcher`, used by every HTML→PDF render) is given an
  unescaped `<img>` to the metadata service, `file:///etc/passwd` and a `file://host/` URL: all refused, while the
  portal's own static files and `data:` URIs are still served.
"""

from __future__ import annotations

import io
import socket

import pytest
from pypdf import PdfReader

from dossiers.models import Applicant
from dossiers.printing import html_to_pdf, render_form
from portal.outbound import OutboundRefused, outbound_check, outbound_post, pdf_url_fetcher
from tests.dossiers import conftest as engine

agencies, applicant_for, make_version = engine.agencies, engine.applicant_for, engine.make_version
people, receive = engine.people, engine.receive

METADATA_IMG = '<img src="http://169.254.169.254/latest/meta-data/">'


class NoNetwork:
    """Records every attempt to reach the network; an attempt fails (and the test checks none happened)."""

    def __init__(self, monkeypatch, *, dns: dict[str, str] | None = None):
        self.attempts: list[str] = []
        self.dns = dns or {}

        def connect(sock, address, *args, **kwargs):
            self.attempts.append(f"connect {address}")
            raise OSError("network disabled in this test")

        def create_connection(address, *args, **kwargs):
            self.attempts.append(f"create_connection {address}")
            raise OSError("network disabled in this test")

        real_getaddrinfo = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host in self.dns:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (self.dns[host], port or 443))]
            if host in ("localhost", "127.0.0.1", "::1"):
                return real_getaddrinfo(host, port, *args, **kwargs)  # answered from /etc/hosts, no packet sent
            self.attempts.append(f"dns {host}")
            raise OSError("DNS disabled in this test")

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "create_connection", create_connection)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def allow_list(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = [".example.gov.vn", "localhost", "169.254.169.254"]
    settings.OUTBOUND_LOCAL_HOSTS = []
    settings.OUTBOUND_ALLOWED_PORTS = [443]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:6379/", "scheme"),
        ("https://127.0.0.1:6379/", "host_not_allowed"),
        ("http://169.254.169.254/latest/meta-data/", "scheme"),
        ("https://169.254.169.254/latest/meta-data/", "private_address"),  # even when listed by mistake
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "scheme"),
        ("ftp://files.example.gov.vn/x", "scheme"),
        ("https://evil.example.com/hook", "host_not_allowed"),
        ("https://example.gov.vn.evil.com/hook", "host_not_allowed"),
        ("https://[::1]/hook", "host_not_allowed"),
        ("https://[::ffff:127.0.0.1]/hook", "host_not_allowed"),
        ("https://10.0.0.5/hook", "host_not_allowed"),
        ("https://user:pass@hooks.example.gov.vn/hook", "credentials"),
        ("https://hooks.example.gov.vn:6379/hook", "port_not_allowed"),
        ("https://localhost/hook", "private_address"),  # an allowed name that resolves to loopback
        ("https://rebind.example.gov.vn/hook", "private_address"),  # DNS answers the metadata address
        ("https://intranet.example.gov.vn/hook", "private_address"),  # DNS answers a private address
        ("https://mapped.example.gov.vn/hook", "private_address"),  # DNS answers IPv4-mapped loopback
        ("not a url", "scheme"),
    ],
)
def test_a_forbidden_outbound_url_is_refused_before_any_connection(monkeypatch, allow_list, url, code):
    network = NoNetwork(
        monkeypatch,
        dns={
            "rebind.example.gov.vn": "169.254.169.254",
            "intranet.example.gov.vn": "10.1.2.3",
            "mapped.example.gov.vn": "::ffff:127.0.0.1",
        },
    )
    with pytest.raises(OutboundRefused) as refused:
        outbound_check(url)
    assert refused.value.code == code
    assert str(refused.value)  # a Vietnamese reason for the admin's form
    with pytest.raises(OutboundRefused):
        outbound_post(url, body=b"{}", headers={}, timeout=1)
    assert network.attempts == []


def test_an_allowed_public_host_passes_and_is_pinned_to_the_checked_address(monkeypatch, allow_list):
    NoNetwork(monkeypatch, dns={"hooks.example.gov.vn": "203.113.131.1"})
    target = outbound_check("https://hooks.example.gov.vn/mot-cua?x=1")
    assert (target.host, target.port, target.address, target.path) == (
        "hooks.example.gov.vn",
        443,
        "203.113.131.1",
        "/mot-cua?x=1",
    )


def test_http_and_a_local_address_only_for_an_exact_local_host(monkeypatch, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    settings.OUTBOUND_LOCAL_HOSTS = ["127.0.0.1"]
    NoNetwork(monkeypatch)
    assert outbound_check("http://127.0.0.1:8765/hook").address == "127.0.0.1"
    with pytest.raises(OutboundRefused):
        outbound_check("http://localhost:8765/hook")  # not that exact host


@pytest.mark.django_db
def test_a_receipt_field_holding_an_img_tag_renders_without_any_request(monkeypatch, receive):
    dossier = receive("2026-03-02 10:00")
    Applicant.objects.filter(pk=dossier.applicant_id).update(name=f"Mai {METADATA_IMG}", address=METADATA_IMG)
    network = NoNetwork(monkeypatch)
    pdf = render_form("receipt", dossier=dossier)
    assert network.attempts == []
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "169.254.169.254" in text  # shown as text: the template escaped it


def test_the_pdf_fetcher_refuses_anything_but_the_portals_own_files(monkeypatch, settings):
    network = NoNetwork(monkeypatch)
    fetcher = pdf_url_fetcher()
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "file://files.example.com/etc/passwd",
        f"file://{settings.BASE_DIR}/portal/settings.py",  # in the project, not in static/ or media/
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError, match="not allowed|disallowed|only the portal"):
            fetcher(url)
    css = settings.BASE_DIR / "static" / "css" / "print.css"
    assert b"@page" in fetcher(f"file://{css}").read()
    assert fetcher("data:text/plain;base64,b2s=").read() == b"ok"
    # An unescaped tag reaching the renderer: the page is still made, and nothing was requested.
    pdf = html_to_pdf(
        f"<p>Biên nhận</p>{METADATA_IMG}<img src='file:///etc/passwd'><link href='http://10.0.0.1/x.css'>"
    )
    assert pdf.startswith(b"%PDF")
    assert network.attempts == []
