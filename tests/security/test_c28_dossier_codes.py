"""Check 28 — dossier codes under load.

The check: two intakes at the same desk at the same moment, and 8 threads × 25 intakes in a stress run, get
distinct and consecutive codes; the code column is UNIQUE in the database; an intake that is rolled back leaves no
duplicate. docs/domain.md §7.1 adds what "rolled back" means for the sequence: the counter row (one per agency and
day) is bumped with `INSERT … ON CONFLICT … RETURNING` in the dossier's own transaction, so a rolled-back intake
gives its number back — the next intake takes it, and the day's codes stay without gap and without duplicate.

How the tests show it: real threads on PostgreSQL, each with its own connection, receive counter dossiers through
the engine (`dossier_receive_counter`) at the same local moment; the codes' sequence numbers must be exactly
1..N. The UNIQUE constraint is read from PostgreSQL's catalog (`pg_index`), and a duplicate insert must fail. The
rollback is shown alone and while another intake waits on the counter row the rolled-back one held.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from dossiers import services
from dossiers.models import CodeCounter, Dossier
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import COMMUNE, at
from tests.outbox.helpers import wait_for

# The dossier engine's fixtures, made visible to pytest in this module.
agencies = engine.agencies
applicant_for = engine.applicant_for
make_version = engine.make_version
people = engine.people
receive = engine.receive
submitted = engine.submitted


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs with DATABASE_URL)"
)
MOMENT = "2026-03-02 09:00"


def sequence(code: str) -> int:
    """The XXXX part of `<agency>-YYMMDD-XXXX`."""
    assert re.fullmatch(r"[0-9A-Z.]+-\d{6}-\d{4,}", code), code
    return int(code.rsplit("-", 1)[1])


def receipt(desk, version, applicant) -> str:
    """One intake at the counter on a connection of this thread's own, closed afterwards."""
    try:
        return services.dossier_receive_counter(
            actor=desk, procedure_version=version, applicant=applicant, now=at(MOMENT)
        ).code
    finally:
        connection.close()


@pytest.mark.django_db
def test_codes_are_consecutive_per_agency_and_day_across_channels(receive, submitted, make_version):
    version = make_version()
    first = receive("2026-03-02 08:00", version=version)
    online = submitted("2026-03-02 09:00", version=version)
    third = receive("2026-03-02 16:59", version=version)
    next_day = receive("2026-03-03 08:00", version=version)

    assert [first.code, online.code, third.code] == [
        f"{COMMUNE}-260302-0001",
        f"{COMMUNE}-260302-0002",
        f"{COMMUNE}-260302-0003",
    ]
    assert next_day.code == f"{COMMUNE}-260303-0001"
    assert CodeCounter.objects.get(agency__e_identifier=COMMUNE, day="2026-03-02").last == 3


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_intakes_at_the_same_desk_at_the_same_moment_get_two_consecutive_codes(people, make_version, applicant_for):
    version = make_version()
    applicants = [applicant_for(name="Nguyễn Văn An"), applicant_for(name="Trần Thị Bình")]
    start = threading.Barrier(2)

    def intake(applicant):
        start.wait(timeout=10)
        return receipt(people["desk"], version, applicant)

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(intake, applicants))

    assert sorted(sequence(code) for code in codes) == [1, 2]
    assert {code.rsplit("-", 1)[0] for code in codes} == {f"{COMMUNE}-260302"}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_receipts_get_fifty_consecutive_codes(people, make_version, applicant_for):
    version = make_version()
    applicants = [applicant_for(name=f"Người nộp {i}") for i in range(50)]
    start = threading.Barrier(10)

    def receive_one(applicant):
        start.wait(timeout=10) if applicant.pk % 5 == 0 else None
        return receipt(people["desk"], version, applicant)

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(receive_one, applicants))

    numbers = sorted(sequence(code) for code in codes)
    assert len(set(codes)) == 50
    assert numbers == list(range(1, 51))
    assert CodeCounter.objects.get().last == 50


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_stress_eight_threads_times_twenty_five_intakes_give_two_hundred_consecutive_codes(
    people, make_version, applicant_for
):
    threads, each = 8, 25
    version = make_version()
    batches = [[applicant_for(name=f"Người nộp {t}-{i}") for i in range(each)] for t in range(threads)]
    start = threading.Barrier(threads)

    def run(batch):
        start.wait(timeout=30)
        try:
            return [
                services.dossier_receive_counter(
                    actor=people["desk"], procedure_version=version, applicant=applicant, now=at(MOMENT)
                ).code
                for applicant in batch
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        codes = [code for batch in pool.map(run, batches) for code in batch]

    assert len(codes) == len(set(codes)) == threads * each
    assert sorted(sequence(code) for code in codes) == list(range(1, threads * each + 1))
    assert CodeCounter.objects.get().last == threads * each
    assert Dossier.objects.filter(code__in=codes).count() == threads * each


@needs_postgresql
@pytest.mark.django_db
def test_the_code_column_is_unique_in_the_database_catalog():
    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL
              AND a.attname = 'code'
            """,
            [table],
        )
        (unique_indexes,) = cursor.fetchone()
    assert unique_indexes >= 1, f"{table}.code has no UNIQUE index over the whole table"


@pytest.mark.django_db
def test_a_second_dossier_with_the_same_code_is_refused_by_the_database(receive):
    dossier, other = receive("2026-03-02 08:00"), receive("2026-03-02 08:01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=other.pk).update(code=dossier.code)


class RolledBack(Exception):
    pass


def blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_a_rolled_back_intake_gives_its_number_back_without_gap_or_duplicate(receive, make_version):
    version = make_version()
    first = receive("2026-03-02 08:00", version=version)
    lost = None
    try:
        with transaction.atomic():
            lost = receive("2026-03-02 08:05", version=version)
            raise RolledBack  # anything failing later in the same transaction: a file, the receipt, the database
    except RolledBack:
        pass
    assert sequence(lost.code) == 2
    assert not Dossier.objects.filter(code=lost.code).exists()
    third = receive("2026-03-02 08:10", version=version)

    assert [sequence(first.code), sequence(third.code)] == [1, 2]
    assert third.code == lost.code  # the number came back: no gap, and the rolled-back one exists nowhere
    assert CodeCounter.objects.get().last == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_intake_waiting_on_a_rolled_back_one_takes_its_number(people, make_version, applicant_for):
    version = make_version()
    applicants = [applicant_for(name="Người nộp A"), applicant_for(name="Người nộp B")]
    issued, release = threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def doomed():
        try:
            with transaction.atomic():
                seen["doomed"] = services.dossier_receive_counter(
                    actor=people["desk"], procedure_version=version, applicant=applicants[0], now=at(MOMENT)
                ).code
                issued.set()
                release.wait(timeout=10)  # the counter row stays locked until this transaction ends
                raise RolledBack
        except RolledBack:
            return "rolled back"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(doomed)
        assert issued.wait(timeout=10)
        second = pool.submit(receipt, people["desk"], version, applicants[1])
        wait_for(blocked_on_a_lock, what="the second intake to wait on the counter row")
        release.set()
        assert first.result(timeout=20) == "rolled back"
        code = second.result(timeout=20)

    assert code == seen["doomed"]
    assert sequence(code) == 1
    assert list(Dossier.objects.exclude(code=None).values_list("code", flat=True)) == [code]
    assert CodeCounter.objects.get().last == 1
