"""The mixed journey of `bench/load.py` (security check 40), for locust. Run it through load.py, which writes the
plan this file reads (`BENCH_PLAN`: accounts, procedures, intake forms, TOTP secrets) and starts the portal.

Four kinds of users, each signed in once:
- a citizen submits a dossier online through the wizard: start, the documents step, one 1 MB PDF per document
  (the request named "upload 1 MB PDF + scan": the upload and its content check), the review, submit, the
  acknowledgement page;
- the desk: its queue, the intake form of a procedure, a walk-in intake posted (T2), the dossier's page;
- an officer: the inbox, "mine" and the unit's tab;
- a leader: the dashboard.

Sign-in is the portal's login form; when the answer is a second-factor page (a form with a one-time code field),
the code is computed (TOTP, RFC 6238) from the secret the plan carries for that account, or the user stops with a
clear message if there is none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import struct
import time
import uuid

from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115 - read once
PDF_1MB = b"%PDF-1.4\n1 0 obj<<>>endobj\n%" + b"0" * (1024 * 1024 - 64) + b"\ntrailer<<>>\n%%EOF\n"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OTP_FIELDS = ("otp_token", "token", "otp", "code")


def totp(secret: str, *, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238 with SHA-1: `secret` in hex (django-otp's TOTPDevice.key) or base32."""
    try:
        key = bytes.fromhex(secret)
    except ValueError:
        key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    account = ""

    def on_start(self):
        # With DEBUG off the session and CSRF cookies are `Secure`, and a cookie jar keeps those for HTTPS; the
        # bench talks plain HTTP on loopback, so each request first clears the flag of the cookies it holds.
        send = self.client.request

        def request(*args, **kwargs):
            for cookie in self.client.cookies:
                cookie.secure = False
            return send(*args, **kwargs)

        self.client.request = request
        self.sign_in(PLAN["accounts"][self.account])

    def csrf(self, html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else self.csrf_cookie()

    def csrf_cookie(self) -> str:
        """The CSRF cookie: `__Host-csrftoken` with production settings (DEBUG off), `csrftoken` otherwise."""
        for cookie in self.client.cookies:
            if cookie.name in ("__Host-csrftoken", "csrftoken"):
                return cookie.value
        return ""

    def sign_in(self, username: str):
        page = self.client.get("/accounts/login/", name="sign-in page")
        answer = self.client.post(
            "/accounts/login/",
            {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": self.csrf(page.text)},
            name="sign-in",
            allow_redirects=False,
        )
        if answer.status_code == 302:  # followed here, so that the new session cookie goes with it
            answer = self.client.get(answer.headers["Location"], name="sign-in: landing page")
        field = next((f for f in OTP_FIELDS if f'name="{f}"' in answer.text), None)
        if field is not None:
            secret = PLAN.get("totp", {}).get(username)
            if not secret:
                print(f"[bench] {username}: the portal asks for a one-time code and no TOTP secret was found; stopped")
                raise StopUser()
            step_page = answer
            for _attempt in range(4):
                answer = self.client.post(
                    step_page.url,
                    {field: totp(secret), "csrfmiddlewaretoken": self.csrf(step_page.text)},
                    name="sign-in: one-time code",
                    allow_redirects=False,
                )
                if answer.status_code == 302:
                    break
                # A code is accepted once (check 10): another bench user of this account took it; wait for the next.
                time.sleep(30 - time.time() % 30 + 0.5)
            if answer.status_code == 302:
                answer = self.client.get(answer.headers["Location"], name="sign-in: landing page")
        if "/accounts/login/" in answer.url:
            print(f"[bench] {username}: sign-in failed (still on the login page); stopped")
            raise StopUser()

    def post(self, path, data, *, name, files=None, expect_redirect=True):
        data = {**data, "csrfmiddlewaretoken": self.csrf_cookie()}
        with self.client.post(
            path,
            data=data,
            files=files,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if expect_redirect and response.status_code != 302:
                response.failure(f"expected a redirect, got {response.status_code}")
            return response


class Citizen(PortalUser):
    weight = 2
    account = "citizen"

    @task
    def submit_online(self):
        procedure = PLAN["procedures"][uuid.uuid4().int % len(PLAN["procedures"])]
        self.client.get(f"/nop-ho-so/thu-tuc/{procedure['code']}/", name="citizen: start page")
        started = self.post(
            f"/nop-ho-so/thu-tuc/{procedure['code']}/",
            {"client_key": uuid.uuid4().hex, "agency": procedure["agency"]},
            name="citizen: start (draft)",
        )
        match = re.search(r"/nop-ho-so/(\d+)/", started.headers.get("Location", ""))
        if not match:
            return
        pk = match.group(1)
        documents = self.client.get(f"/nop-ho-so/{pk}/buoc/giay-to/", name="citizen: documents step")
        for document in dict.fromkeys(re.findall(r'name="document" value="(\d+)"', documents.text)):
            self.post(
                f"/nop-ho-so/{pk}/tai-len/",
                {"document": document},
                files={"file": ("giay-to.pdf", PDF_1MB, "application/pdf")},
                name="upload 1 MB PDF + scan",
            )
        review = self.client.get(f"/nop-ho-so/{pk}/buoc/xem-lai/", name="citizen: review step")
        revision = re.search(r'name="revision" value="(\d+)"', review.text)
        submitted = self.post(
            f"/nop-ho-so/{pk}/nop/", {"revision": revision.group(1) if revision else ""}, name="citizen: submit"
        )
        if not submitted.headers.get("Location", "").endswith("/da-nop/"):
            submitted.failure("the submission was not accepted (no acknowledgement)")
            return
        self.client.get(f"/nop-ho-so/{pk}/da-nop/", name="citizen: acknowledgement")


class Desk(PortalUser):
    weight = 2
    account = "desk"

    @task(3)
    def queue(self):
        self.client.get("/desk/", name="desk: queue")

    @task(2)
    def intake(self):
        form = PLAN["intake"][uuid.uuid4().int % len(PLAN["intake"])]
        self.client.get(f"/desk/intake/?procedure={form['procedure']}", name="desk: intake form")
        received = self.post("/desk/intake/", {**form, "client_key": uuid.uuid4().hex}, name="desk: intake (T2)")
        location = received.headers.get("Location", "")
        if location:
            self.client.get(location, name="desk: dossier page")


class Officer(PortalUser):
    weight = 3
    account = "officer"

    @task(2)
    def mine(self):
        self.client.get("/work/?tab=mine", name="officer: inbox, mine")

    @task(1)
    def unit(self):
        self.client.get("/work/?tab=unit", name="officer: inbox, unit")


class Leader(PortalUser):
    weight = 1
    account = "leader"

    @task
    def dashboard(self):
        self.client.get("/dashboard/", name="leader: dashboard")
