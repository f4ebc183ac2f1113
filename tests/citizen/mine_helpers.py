"""Shared by the tests of "my dossiers" (tests/citizen/test_mine_*.py): the URLs, a mine_now clock, dossiers in the
states the pages care about."""

import pytest
import time_machine
from django.urls import reverse

from tests.dossiers.conftest import advance, at

NOW = at("2026-03-04 09:00")  # two days after the dossiers below were received or asked for a supplement
ITEMS = [
    {"document": "Giấy tờ tùy thân", "content": "Bản sao còn hạn sử dụng", "form": "copy", "count": 1},
    {"document": "Tờ khai đăng ký kết hôn", "content": "Ký đủ hai bên", "form": "original", "count": 1},
]
SUPPLEMENT = {"note": "Hồ sơ chưa đầy đủ giấy tờ", "items": ITEMS, "legal_basis": "Nghị định 118/2025/NĐ-CP, Điều 11"}


@pytest.fixture
def mine_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def asked(submitted, people):
    """An online dossier the desk asked to supplement (T4) on Monday 2/3: the applicant has 15 working days."""
    dossier = submitted("2026-03-02 08:00")
    return advance(dossier, ("request_supplement_intake", "desk", SUPPLEMENT), people=people, when="2026-03-02 09:00")


def mine(name: str, dossier=None) -> str:
    if dossier is None:
        return reverse(f"citizen:{name}")
    return reverse(f"citizen:{name}", kwargs={"code": dossier.code})
