"""The numbers the seeder writes on paper (demo/seeding/writing.py, as dossiers/numbering.py gives them live): a
register line for every dossier received at a desk, consecutive per desk and local year in receipt order, and a
document number for every supplement request, refusal, apology and stop notice, consecutive per issuing body, form
and year in issue order; counters at the last number, the events' data saying the same, the live engine going on
after them, a second run too. Seeded supplement items say what to fix, with the document's form and count.

The clock is frozen (never the real one): an ordinary Monday, and just after midnight UTC on New Year's Eve —
already 1 January in Vietnam, so the data spans two local years.
"""

import datetime as dt
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import OneStopDesk
from demo.seeding.names import SUPPLEMENT_FIXES
from dossiers.models import (
    Channel,
    DocumentCounter,
    DocumentNumber,
    Dossier,
    DossierEvent,
    RegisterCounter,
    RegisterEntry,
    SupplementRequest,
)
from dossiers.numbering import FORM_OF_ACTION, NUMBERED_FORMS, REGISTER_ACTIONS
from dossiers.services import dossier_receive_counter, dossier_transition
from dossiers.workflow import Status
from workcalendar.calendar import LOCAL_TZ

N = 300

pytestmark = pytest.mark.django_db

INSTANTS = {
    "monday-0600": dt.datetime(2026, 3, 2, 6, 0, tzinfo=LOCAL_TZ),
    "31-12-2330-utc": dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),  # already 1/1/2027 in Vietnam
}


@pytest.fixture(scope="module", params=list(INSTANTS), ids=list(INSTANTS))
def seeded(request, django_db_setup, django_db_blocker):
    """N demo dossiers seeded at the frozen instant, kept for the module and rolled back after it."""
    with time_machine.travel(INSTANTS[request.param], tick=False):
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("seed_demo", dossiers=N, seed=1, force=True, verbosity=0)
            yield INSTANTS[request.param]
            transaction.set_rollback(True)


def year_of(moment: dt.datetime) -> int:
    return timezone.localtime(moment).year


def in_order(group: list, moment: str, second_run_from: int | None) -> bool:
    """Numbers (the group's order) follow the moments within each run; a second run's come after the first's."""
    runs = [group]
    if second_run_from is not None:
        runs = [
            [x for x in group if x.dossier_id < second_run_from],
            [x for x in group if x.dossier_id >= second_run_from],
        ]
        if all(runs) and runs[0][-1].number > runs[1][0].number:
            return False
    return all([getattr(x, moment) for x in run] == sorted(getattr(x, moment) for x in run) for run in runs)


def check_registers(second_run_from: int | None = None) -> dict[tuple[int, int], list[RegisterEntry]]:
    """Every receipt at a desk has its line; lines are 1…n per (desk, local year) in receipt order (within each
    run); each counter is at its last line. Returns the lines by (desk, year), in number order."""
    desks = dict(OneStopDesk.objects.filter(is_active=True).order_by("-id").values_list("agency_id", "id"))
    entries = {e.dossier_id: e for e in RegisterEntry.objects.all()}
    received = Dossier.objects.exclude(received_at=None)
    assert received.count() > 0
    for d in received:
        desk = d.desk_id or desks.get(d.receiving_agency_id)
        if desk is None:
            assert d.pk not in entries
            continue
        entry = entries[d.pk]
        assert (entry.desk_id, entry.year, entry.entered_at) == (desk, year_of(d.received_at), d.received_at), d.code
    assert set(entries) <= set(received.values_list("pk", flat=True))
    lines = defaultdict(list)
    for e in entries.values():
        lines[e.desk_id, e.year].append(e)
    counters = {(c.desk_id, c.year): c for c in RegisterCounter.objects.all()}
    for key, group in lines.items():
        group.sort(key=lambda e: e.number)
        assert [e.number for e in group] == list(range(1, len(group) + 1)), key
        assert in_order(group, "entered_at", second_run_from), key
        assert {e.book for e in group} == {1}
        assert counters[key].last == len(group)
        assert counters[key].book == 1
    assert set(counters) == set(lines)
    return lines


def check_documents(second_run_from: int | None = None) -> dict[tuple[int, int, str], list[DocumentNumber]]:
    """Document numbers 1…n per (issuing body, local year, form) in issue order (within each run), counters at
    the last."""
    numbers = defaultdict(list)
    for n in DocumentNumber.objects.select_related("dossier"):
        d = n.dossier
        issuer = d.processing_agency_id if n.form_key == "apology" else d.receiving_agency_id
        assert (n.agency_id, n.year, n.symbol) == (issuer, year_of(n.issued_at), NUMBERED_FORMS[n.form_key].symbol)
        numbers[n.agency_id, n.year, n.form_key].append(n)
    counters = {(c.agency_id, c.year, c.form_key): c.last for c in DocumentCounter.objects.all()}
    for key, group in numbers.items():
        group.sort(key=lambda n: n.number)
        assert [n.number for n in group] == list(range(1, len(group) + 1)), key
        assert in_order(group, "issued_at", second_run_from), key
        assert counters[key] == len(group), key
    assert set(counters) == set(numbers)
    return numbers


def test_every_received_dossier_was_received_at_a_desk_and_entered_in_its_register(seeded):
    received = Dossier.objects.exclude(received_at=None)
    assert received.count() > 0.8 * N
    assert not received.filter(desk__isnull=True).exists()
    assert not received.filter(register_entry__isnull=True).exists()


def test_register_lines_are_consecutive_per_desk_and_year_and_counters_end_at_the_last(seeded):
    lines = check_registers()
    assert sum(len(g) for g in lines.values()) > N // 2
    if timezone.localdate(seeded) == dt.date(2027, 1, 1):
        # The seeded year is 2026 (nothing reaches the reference day); a receipt's local day decides it.
        assert {year for _desk, year in lines} == {2026}


def test_document_numbers_are_consecutive_per_body_form_and_year(seeded):
    numbers = check_documents()
    forms = {form for _agency, _year, form in numbers}
    assert {"supplement", "refusal", "stop_notice"} <= forms
    # One per issuing event: every supplement request, refusal, apology and stop notice has its number.
    issued = DossierEvent.objects.filter(action__in=list(FORM_OF_ACTION))
    assert issued.count() == DocumentNumber.objects.count()
    assert SupplementRequest.objects.count() == DocumentNumber.objects.filter(form_key="supplement").count()


def test_the_events_carry_the_numbers_of_the_rows(seeded):
    entries = {e.dossier_id: e for e in RegisterEntry.objects.all()}
    numbers = {(n.dossier_id, n.form_key): n for n in DocumentNumber.objects.all()}
    registered = 0
    for e in DossierEvent.objects.all():
        receipt = e.action in REGISTER_ACTIONS or (e.action == "accept_supplement" and e.to_status == Status.RECEIVED)
        if receipt and e.dossier_id in entries:
            entry = entries[e.dossier_id]
            assert e.data["register"] == {"book": entry.book, "number": entry.number, "year": entry.year}
            assert e.at == entry.entered_at
            registered += 1
        else:
            assert "register" not in e.data, e
        if e.action in FORM_OF_ACTION:
            number = numbers[e.dossier_id, FORM_OF_ACTION[e.action]]
            assert e.data["document_number"] == number.text
            assert e.at == number.issued_at
        else:
            assert "document_number" not in e.data, e
    assert registered == len(entries)


def test_the_next_live_receipt_and_refusal_continue_the_sequences(seeded):
    lines = check_registers()
    counter_dossiers = Dossier.objects.exclude(received_at=None).exclude(channel=Channel.ONLINE).order_by("pk")
    (desk_id, year), group = max(
        ((key, g) for key, g in lines.items() if any(d.desk_id == key[0] for d in counter_dossiers)),
        key=lambda item: len(item[1]),
    )
    model = next(d for d in counter_dossiers if d.desk_id == desk_id)
    desk = OneStopDesk.objects.get(pk=desk_id)
    clerk = User.objects.create_user(username="next-desk", password="x")
    staff_assign(user=clerk, agency=desk.agency, role=Role.DESK, desk=desk)
    refusals = DocumentCounter.objects.filter(agency=desk.agency, year=year, form_key="refusal").first()
    now = group[-1].entered_at + dt.timedelta(minutes=1)  # the same local year: seeded moments end before today
    assert year_of(now) == year

    dossier = dossier_receive_counter(
        actor=clerk,
        procedure_version=model.procedure_version,
        applicant=model.applicant,
        processing_agency=model.processing_agency,
        now=now,
    )
    entry = RegisterEntry.objects.get(dossier=dossier)
    assert (entry.desk_id, entry.year, entry.number) == (desk_id, year, len(group) + 1)
    assert RegisterCounter.objects.get(desk_id=desk_id, year=year).last == len(group) + 1
    assert dossier.events.get().data["register"]["number"] == len(group) + 1

    dossier_transition(dossier=dossier, action="refuse", actor=clerk, now=now, note="Hồ sơ không đúng thủ tục.")
    refusal = DocumentNumber.objects.get(dossier=dossier, form_key="refusal")
    assert refusal.number == (refusals.last if refusals else 0) + 1
    assert refusal.agency_id == desk.agency_id


def test_a_second_run_keeps_every_sequence_consecutive(seeded):
    before_lines = sum(len(g) for g in check_registers().values())
    before_numbers = DocumentNumber.objects.count()
    first_new = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    with transaction.atomic():
        call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0)
        lines = check_registers(first_new)
        check_documents(first_new)
        assert sum(len(g) for g in lines.values()) > before_lines
        assert DocumentNumber.objects.count() > before_numbers
        transaction.set_rollback(True)


def test_supplement_items_say_what_to_fix_in_which_form(seeded):
    requests = list(SupplementRequest.objects.select_related("dossier"))
    assert requests
    for request in requests:
        components = {doc.name: doc for doc in request.dossier.documents.all()}
        assert request.items
        for item in request.items:
            assert item["content"] in SUPPLEMENT_FIXES
            component = components.get(item["document"])
            if component is not None:
                assert (item["form"], item["count"]) == (component.form, component.count)
        event = request.dossier.events.get(action__startswith="request_supplement")
        assert event.data["items"] == request.items
