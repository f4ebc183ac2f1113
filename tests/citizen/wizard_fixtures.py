"""Shared helpers of the wizard tests: a citizen with a profile, a started draft, small files."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from accounts.models import CitizenProfile
from dossiers.models import Dossier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="giay-to.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def step_url(dossier, slug):
    return reverse("citizen:wizard-step", kwargs={"pk": dossier.pk, "step": slug})


@pytest.fixture
def profile(people):
    """The citizen's profile, which pre-fills the applicant."""
    return CitizenProfile.objects.filter(user=people["citizen"]).update(
        address="12 Lê Hoàn, phường Hạc Thành",
        phone="0912345678",
        email="mai@example.vn",
        date_of_birth=dt.date(1990, 5, 17),
    )


@pytest.fixture
def start_draft(client, people, profile):
    """POST the start form as the citizen; returns the draft."""

    def start(version, key="a" * 32):
        client.force_login(people["citizen"])
        agency = version.agencies.first()
        response = client.post(
            reverse("citizen:wizard-start", kwargs={"procedure_code": version.procedure.code}),
            {"client_key": key, "agency": agency.pk},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return Dossier.objects.get(client_key=key)

    return start


def applicant_post(**overrides):
    data = {
        "applicant-name": "Hoàng Thị Mai",
        "applicant-personal_id": "038190001234",
        "applicant-date_of_birth": "17/05/1990",
        "applicant-address": "12 Lê Hoàn, phường Hạc Thành",
        "applicant-phone": "0912345678",
        "applicant-email": "mai@example.vn",
    }
    data.update(overrides)
    return data


def text_of(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
