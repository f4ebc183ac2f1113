"""Each official form renders for a seeded dossier, and its text carries the dossier's own data — whatever the
day: the clock is frozen at instants where the local and UTC dates differ, in Tết and on an ordinary Monday."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from dossiers.models import DocumentNumber, Dossier, RegisterEntry, SupplementRequest
from dossiers.printing import render_form
from dossiers.workflow import Status
from workcalendar.calendar import LOCAL_TZ

pytestmark = pytest.mark.django_db

# form → a seeded dossier it applies to
APPLIES = {
    "receipt": {"status": Status.IN_PROCESSING},
    "control_sheet": {"status": Status.RETURNED},
    "supplement": {"supplement_request__isnull": False},
    "refusal": {"status": Status.REFUSED, "events__to_status": Status.REFUSED},
    "apology": {"apology__isnull": False},
    "stop_notice": {"status": Status.WITHDRAWN},
}


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def dd(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


INSTANTS = {
    "31-12-2330-utc": dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),  # 1/1/2027 06:30 in Vietnam
    "31-12-1659": dt.datetime(2026, 12, 31, 16, 59, tzinfo=LOCAL_TZ),
    "tet-2026": dt.datetime(2026, 2, 18, 10, 0, tzinfo=LOCAL_TZ),
    "monday-0600": dt.datetime(2026, 3, 2, 6, 0, tzinfo=LOCAL_TZ),
}


@pytest.mark.parametrize("instant", list(INSTANTS))
def test_each_form_renders_for_a_seeded_dossier(instant):
    with time_machine.travel(INSTANTS[instant], tick=False):
        call_command("seed_demo", dossiers=400, seed=7, force=True, verbosity=0)
        for key in sorted(APPLIES):
            _check(key)


def _check(key: str) -> None:
    dossier = (
        Dossier.objects.filter(**APPLIES[key])
        .exclude(received_at__isnull=True)
        .select_related("applicant", "procedure_version", "receiving_agency")
        .order_by("pk")
        .first()
    )
    assert dossier is not None, f"the seed has no dossier for {key}"

    text = text_of(render_form(key, dossier=dossier))

    assert dossier.code in text, key
    assert dossier.applicant.name in text
    assert dossier.procedure_version.name[:40] in text
    # Each form is dated by its own moment; the refusal by the refusal, which may fall on a later day than receipt.
    assert dd(dossier.refused_at if key == "refusal" else dossier.received_at) in text
    assert dossier.receiving_agency.name.upper() in text.upper()
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "INVALID_TEMPLATE_VARIABLE" not in text
    # The numbers the desk writes on paper are the seeded ones, not blanks to fill by hand.
    if key == "receipt":
        entry = RegisterEntry.objects.get(dossier=dossier)
        assert f"Quyển số 1, Số thứ tự {entry.number}" in text
    if key in ("supplement", "refusal", "apology", "stop_notice"):
        number = DocumentNumber.objects.get(dossier=dossier, form_key=key)
        assert f"Số: {number.number}/{number.symbol}" in text
        assert "……/" not in text
    if key == "supplement":
        assert number.symbol == "HDHS"
        # "Nội dung cần bổ sung, hoàn thiện": what to fix in each document asked for.
        items = SupplementRequest.objects.get(dossier=dossier).items
        assert items
        for item in items:
            assert item["content"].strip()
            assert item["content"].rstrip(".") in text


@time_machine.travel(dt.datetime(2026, 11, 30, 8, 30, tzinfo=LOCAL_TZ), tick=False)
def test_only_if_empty_adds_dossiers_once():
    call_command("seed_demo", dossiers=30, seed=3, only_if_empty=True, force=True, verbosity=0)
    first = Dossier.objects.count()
    call_command("seed_demo", dossiers=30, seed=3, only_if_empty=True, force=True, verbosity=0)
    assert first == 30
    assert Dossier.objects.count() == 30
