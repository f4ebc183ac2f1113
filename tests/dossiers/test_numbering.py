"""The numbers the desk writes on paper (dossiers/numbering.py): tracking-register entries at receipt and the
document numbers of the supplement request, refusal, apology and stop notice — consecutive, per desk (or issuing
body) and local year, restarting on 1 January, taken back by a rolled-back action, safe under concurrency — and
the Decree 30/2020 date line every form prints (dossiers/printing.py)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection, transaction

from dossiers import services
from dossiers.models import DocumentCounter, DocumentNumber, RegisterCounter, RegisterEntry
from dossiers.numbering import NUMBERED_FORMS, document_number_issue, numbers_on_transition
from dossiers.printing import vn_day, vn_place_date, vn_time
from dossiers.workflow import Status
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, TZ, advance, at

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs with DATABASE_URL)"
)
UTC = dt.UTC


# --- Date lines (Decree 30/2020 Appendix I) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 2), "ngày 02 tháng 3 năm 2026"),  # day 1–9: leading zero; March: none
        (dt.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),  # February: leading zero
        (dt.date(2026, 1, 10), "ngày 10 tháng 01 năm 2026"),  # January: leading zero; day 10: none
        (dt.date(2026, 11, 27), "ngày 27 tháng 11 năm 2026"),
        (dt.date(2026, 10, 9), "ngày 09 tháng 10 năm 2026"),
        (dt.date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (dt.date(2027, 1, 1), "ngày 01 tháng 01 năm 2027"),
        (dt.date(2026, 9, 30), "ngày 30 tháng 9 năm 2026"),
    ],
)
def test_the_date_line_has_a_leading_zero_only_for_days_1_to_9_and_months_1_and_2(day, expected):
    assert vn_day(day) == expected


def test_a_moment_is_dated_by_its_local_date():
    # 17:30 UTC on 28 February is 00:30 on 1 March in Hà Nội.
    moment = dt.datetime(2026, 2, 28, 17, 30, tzinfo=UTC)
    assert vn_day(moment) == "ngày 01 tháng 3 năm 2026"
    assert vn_place_date("Thanh Hóa", moment) == "Thanh Hóa, ngày 01 tháng 3 năm 2026"
    assert vn_time(moment) == "00 giờ 30 phút, ngày 01/03/2026"


def test_moments_are_24_hour_local_time_and_an_unknown_place_is_left_blank():
    assert vn_time(dt.datetime(2026, 11, 27, 15, 5, tzinfo=TZ)) == "15 giờ 05 phút, ngày 27/11/2026"
    assert vn_time(dt.datetime(2026, 1, 1, 0, 0, tzinfo=TZ)) == "00 giờ 00 phút, ngày 01/01/2026"
    assert vn_time(None) == ""
    assert vn_place_date("", dt.date(2026, 2, 5)) == "……………, ngày 05 tháng 02 năm 2026"


# --- Register entries ------------------------------------------------------------------------------------------


class Cancelled(Exception):
    pass


def cancelled(action):
    """Run `action` in a transaction that is then rolled back (a receipt the desk abandons); returns its result."""
    seen = []
    try:
        with transaction.atomic():
            seen.append(action())
            raise Cancelled
    except Cancelled:
        return seen[0]


def _entry(dossier) -> tuple[int, int, int]:
    entry = RegisterEntry.objects.get(dossier=dossier)
    return entry.year, entry.book, entry.number


@pytest.mark.django_db
def test_receipts_take_consecutive_register_numbers_per_desk(receive, submitted, people, make_version, agencies):
    version = make_version()
    first = receive("2026-03-02 08:00", version=version)
    second = receive("2026-03-02 09:00", version=version)
    online = advance(submitted("2026-03-02 09:30", version=version), ("receive", "desk", {}), people=people)
    fourth = receive("2026-03-03 08:00", version=version)  # another day, the same year: the book goes on

    assert [_entry(d) for d in (first, second, online, fourth)] == [(2026, 1, n) for n in (1, 2, 3, 4)]
    assert first.register_entry.desk == agencies[COMMUNE].desks.get()
    event = online.events.get(action="receive")
    assert event.data["register"] == {"book": 1, "number": 3, "year": 2026}
    assert first.events.get(action="receive_counter").data == {
        "channel": 1,
        "register": {"book": 1, "number": 1, "year": 2026},
    }

    other = services.dossier_receive_counter(
        actor=people["other_desk"],
        procedure_version=version,
        applicant=first.applicant,
        now=at("2026-03-03 09:00"),
    )
    assert _entry(other) == (2026, 1, 1)
    assert RegisterCounter.objects.get(desk__agency__e_identifier=COMMUNE, year=2026).last == 4
    assert RegisterCounter.objects.get(desk__agency__e_identifier=OTHER_COMMUNE, year=2026).last == 1


@pytest.mark.django_db
def test_an_intake_supplement_is_entered_when_accepted_and_not_before(submitted, people, receive):
    receive("2026-03-02 08:00")
    dossier = advance(
        submitted("2026-03-02 08:30"),
        ("request_supplement_intake", "desk", {"note": "Thiếu", "items": ["Bản sao giấy tờ tùy thân"]}),
        people=people,
    )
    assert not RegisterEntry.objects.filter(dossier=dossier).exists()
    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when="2026-03-05 10:00")
    assert dossier.status == Status.RECEIVED
    assert _entry(dossier) == (2026, 1, 2)
    assert dossier.events.get(action="accept_supplement").data["register"]["number"] == 2


@pytest.mark.django_db
def test_an_appraisal_supplement_accepted_takes_no_second_entry(receive, people):
    dossier = advance(
        receive("2026-03-02 08:00"),
        ("forward", "desk", {}),
        ("request_supplement", "officer", {"note": "Thiếu", "items": ["Tờ khai"]}),
        ("accept_supplement", "desk", {}),
        people=people,
    )
    assert dossier.status == Status.IN_PROCESSING
    assert RegisterEntry.objects.filter(dossier=dossier).count() == 1
    assert "register" not in dossier.events.get(action="accept_supplement").data
    # Asking the hook again for the same dossier gives the same line, never a new one.
    assert numbers_on_transition(dossier, action="receive", now=at("2026-03-04 08:00"))["register"]["number"] == 1
    assert RegisterCounter.objects.get().last == 1


@pytest.mark.django_db
def test_the_register_restarts_on_the_first_of_january_local_time(receive, make_version):
    version = make_version()
    with time_machine.travel(at("2026-12-31 16:00"), tick=False):
        last_of_year = [receive("2026-12-31 16:00", version=version) for _ in range(2)]
    # 23:30 UTC on 31 December is already 1 January in Hà Nội: the new year's book.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        new_year = receive("2027-01-01 06:30", version=version)
    assert [_entry(d) for d in last_of_year] == [(2026, 1, 1), (2026, 1, 2)]
    assert _entry(new_year) == (2027, 1, 1)


@pytest.mark.django_db
def test_the_book_number_of_a_new_year_comes_from_the_setting(receive, settings):
    settings.DOSSIER_REGISTER_BOOK = 3
    dossier = receive("2026-03-02 08:00")
    assert _entry(dossier) == (2026, 3, 1)
    settings.DOSSIER_REGISTER_BOOK = 4  # a year's book keeps its number once opened
    assert _entry(receive("2026-03-02 09:00")) == (2026, 3, 2)


@pytest.mark.django_db
def test_a_rolled_back_receipt_gives_its_register_number_back(receive, make_version):
    version = make_version()
    receive("2026-03-02 08:00", version=version)
    lost = cancelled(lambda: _entry(receive("2026-03-02 09:00", version=version)))
    assert lost == (2026, 1, 2)
    again = receive("2026-03-02 09:05", version=version)
    assert _entry(again) == (2026, 1, 2)
    assert RegisterCounter.objects.get().last == 2
    assert list(RegisterEntry.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_receipts_take_twenty_consecutive_register_numbers(people, make_version, applicant_for):
    version = make_version()
    applicants = [applicant_for(name=f"Người nộp {i}") for i in range(20)]
    start = threading.Barrier(5)

    def receive_one(applicant):
        try:
            start.wait(timeout=10)
            dossier = services.dossier_receive_counter(
                actor=people["desk"], procedure_version=version, applicant=applicant, now=at("2026-03-02 09:00")
            )
            return RegisterEntry.objects.get(dossier=dossier).number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=5) as pool:
        numbers = list(pool.map(receive_one, applicants))

    assert sorted(numbers) == list(range(1, 21))
    assert RegisterCounter.objects.get().last == 20


# --- Document numbers ------------------------------------------------------------------------------------------


def test_every_numbered_form_has_its_symbol_in_one_table():
    assert {key: form.symbol for key, form in NUMBERED_FORMS.items()} == {
        "supplement": "HDHS",
        "refusal": "TCHS",
        "apology": "XL",
        "stop_notice": "TB-DGQ",
    }


@pytest.mark.django_db
def test_supplement_requests_are_numbered_per_issuing_body_and_year(submitted, receive, people, agencies):
    intake = advance(
        submitted("2026-03-02 08:00"),
        ("request_supplement_intake", "desk", {"note": "Thiếu", "items": ["Tờ khai"]}),
        people=people,
    )
    appraisal = advance(
        receive("2026-03-02 08:30"),
        ("forward", "desk", {}),
        ("request_supplement", "officer", {"note": "Thiếu", "items": ["Bản sao"]}),
        people=people,
    )
    assert intake.events.get(action="request_supplement_intake").data["document_number"] == "1/HDHS"
    assert appraisal.events.get(action="request_supplement").data["document_number"] == "2/HDHS"
    number = DocumentNumber.objects.get(dossier=appraisal)
    assert (number.form_key, number.number, number.symbol, number.year) == ("supplement", 2, "HDHS", 2026)
    assert number.agency == agencies[COMMUNE]
    assert number.issued_at == at("2026-03-03 09:00")


@pytest.mark.django_db
def test_each_form_has_its_own_sequence_and_the_apology_is_the_processing_bodys(
    receive, submitted, people, agencies, make_version
):
    version = make_version()
    refuse = ("refuse", "desk", {"note": "Sai"})
    refused = advance(submitted("2026-03-02 08:00", version=version), refuse, people=people)
    withdrawn = advance(
        receive("2026-03-02 08:30", version=version),
        ("withdraw", "desk", {"request_date": dt.date(2026, 3, 3), "request_channel": "counter"}),
        people=people,
    )
    apologised = advance(
        receive("2026-03-02 09:00", version=version),
        ("forward", "desk", {}),
        ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
        people=people,
        when="2026-03-12 09:00",
    )
    assert refused.events.get(action="refuse").data["document_number"] == "1/TCHS"
    assert withdrawn.events.get(action="withdraw").data["document_number"] == "1/TB-DGQ"
    assert apologised.events.get(action="apologise").data["document_number"] == "1/XL"
    assert set(DocumentNumber.objects.values_list("form_key", "number")) == {
        ("refusal", 1),
        ("stop_notice", 1),
        ("apology", 1),
    }
    apology = DocumentNumber.objects.get(form_key="apology")
    assert apology.agency == apologised.processing_agency


@pytest.mark.django_db
def test_document_numbers_restart_each_year_and_a_rollback_returns_them(submitted, people, agencies):
    DocumentCounter.objects.create(agency=agencies[COMMUNE], year=2026, form_key="refusal", last=11)
    december = advance(
        submitted("2026-12-30 08:00"), ("refuse", "desk", {"note": "Sai"}), people=people, when="2026-12-31 09:00"
    )
    refuse = ("refuse", "desk", {"note": "Sai"})

    def refused_in_january():
        dossier = advance(submitted("2027-01-04 08:00"), refuse, people=people, when="2027-01-04 09:00")
        return dossier.events.get(action="refuse").data["document_number"]

    assert cancelled(refused_in_january) == "1/TCHS"
    january = advance(
        submitted("2027-01-04 08:30"), ("refuse", "desk", {"note": "Sai"}), people=people, when="2027-01-04 10:00"
    )
    assert DocumentNumber.objects.get(dossier=december).text == "12/TCHS"
    assert DocumentNumber.objects.get(dossier=january).text == "1/TCHS"
    assert DocumentCounter.objects.get(year=2027).last == 1


@pytest.mark.django_db
def test_the_apology_is_numbered_by_the_processing_body_the_others_by_the_desks_agency(receive, agencies):
    dossier = receive("2026-03-02 08:00")
    dossier.processing_agency = agencies[OTHER_COMMUNE]  # a dossier the commune's desk received for another body
    moment = at("2026-03-05 09:00")

    apology = document_number_issue(dossier=dossier, form_key="apology", now=moment)
    stop = document_number_issue(dossier=dossier, form_key="stop_notice", now=moment)
    again = document_number_issue(dossier=dossier, form_key="apology", now=at("2026-03-06 09:00"))

    assert (apology.agency, apology.text) == (agencies[OTHER_COMMUNE], "1/XL")
    assert (stop.agency, stop.text) == (agencies[COMMUNE], "1/TB-DGQ")
    assert again.pk == apology.pk  # one apology per dossier, one number
    assert DocumentCounter.objects.get(form_key="apology").agency == agencies[OTHER_COMMUNE]
