"""An audit trail that cannot be erased (docs/domain.md §4.2, §11; docs/adr/0005-audit-trail.md).

The tests of the triggers (and of tampering behind them) run on PostgreSQL only. The clock is frozen for every test.
"""
# The file fixtures live in files_fixtures.py; a test's parameter of the same name is how they are used.
# ruff: noqa: F811

from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from dossiers import services
from dossiers.audit import CHAIN_COLUMNS, chain_verify, request_client, row_digest
from dossiers.files import dossier_file_add
from dossiers.models import DeletionRefused, Dossier, DossierEvent, PersonalDataAccess
from dossiers.selectors import personal_data_read_log
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import files_media, files_world, pdf_bytes  # noqa: F401

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")

EVENTS = "dossiers_dossierevent"
READS = "dossiers_personaldataaccess"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(at("2026-03-04 10:00"), tick=False):
        yield


@pytest.fixture
def pair(receive, people, make_version):
    """Two dossiers whose events interleave in id order (a fee, a step with data, a note)."""
    first = receive("2026-03-02 08:00", version=make_version(fee=50_000))
    second = receive("2026-03-02 08:30")
    first = advance(first, ("forward", "desk", {}), people=people)
    second = advance(second, ("forward", "desk", {}), people=people)
    first = advance(first, ("step", "officer", {"name": "Thẩm định"}), people=people, when="2026-03-03 14:00")
    return first, second


def events_of(dossier: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=dossier).order_by("id"))


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def tamper(statement: str, params=()) -> None:
    """What someone with the table owner's rights could do: switch the trigger off, change history, switch it on.

    The test's own inserts leave deferred foreign-key checks pending, which ALTER TABLE will not run over.
    """
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f"ALTER TABLE {EVENTS} DISABLE TRIGGER {EVENTS}_append_only")
    sql(statement, params)
    sql(f"ALTER TABLE {EVENTS} ENABLE TRIGGER {EVENTS}_append_only")
    sql("SET CONSTRAINTS ALL DEFERRED")


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


# --- The hash chain --------------------------------------------------------------------------------------------


def test_each_event_is_chained_to_the_previous_event_of_its_own_dossier(pair):
    first, second = pair
    for dossier, actions in ((first, ["receive_counter", "forward", "step"]), (second, ["receive_counter", "forward"])):
        events = events_of(dossier)
        assert [e.action for e in events] == actions
        assert events[0].prev_hash == ""
        assert [e.prev_hash for e in events[1:]] == [e.digest for e in events[:-1]]
        for event in events:
            stored = DossierEvent.objects.filter(pk=event.pk).values(*CHAIN_COLUMNS).get()
            assert len(event.digest) == 64
            assert row_digest(stored) == event.digest
    # The second dossier's chain starts afresh although its events sit between the first's.
    assert events_of(second)[0].pk < events_of(first)[-1].pk


def test_the_digest_changes_with_any_recorded_fact(pair):
    event = events_of(pair[0])[1]
    original = event.compute_digest()
    for field, value in [("note", "x"), ("actor_id", None), ("data", {"x": 1}), ("at", at("2026-03-02 09:01"))]:
        changed = DossierEvent.objects.get(pk=event.pk)
        setattr(changed, field, value)
        assert changed.compute_digest() != original, field


def test_a_sound_log_passes_in_one_streamed_query(pair, django_assert_num_queries):
    with django_assert_num_queries(1):
        output = verify()
    assert output.strip() == "Nhật ký nguyên vẹn: đã kiểm tra 2 hồ sơ, 5 sự kiện."


def test_one_dossier_can_be_checked_by_code(pair):
    assert verify("--dossier", pair[1].code).strip() == "Nhật ký nguyên vẹn: đã kiểm tra 1 hồ sơ, 2 sự kiện."


def test_an_unknown_code_is_a_one_line_error():
    with pytest.raises(CommandError, match=r"^Không có hồ sơ mã 000\.00\.31\.H56-260302-9999\.$") as error:
        verify("--dossier", "000.00.31.H56-260302-9999")
    assert error.value.returncode == 1


@postgresql_only
def test_an_edited_event_is_named_by_audit_verify(pair):
    first, _second = pair
    edited = events_of(first)[1]
    tamper(f"UPDATE {EVENTS} SET note = %s WHERE id = %s", ["ghi chú đã bị sửa", edited.pk])

    with pytest.raises(CommandError) as error:
        verify()

    assert error.value.returncode == 2
    assert str(error.value) == (
        f"Chuỗi nhật ký bị đứt tại hồ sơ {first.code}, sự kiện #{edited.pk} (forward, 03/03/2026 09:00:00): "
        "mã băm không khớp nội dung sự kiện (digest)."
    )
    # The other dossier is still sound on its own.
    assert "1 hồ sơ, 2 sự kiện" in verify("--dossier", pair[1].code)


@postgresql_only
def test_an_edit_with_a_recomputed_digest_breaks_the_next_link(pair):
    first, _second = pair
    edited, following = events_of(first)[1:3]
    edited.note = "ghi chú đã bị sửa"
    forged = edited.compute_digest()
    tamper(f"UPDATE {EVENTS} SET note = %s, digest = %s WHERE id = %s", [edited.note, forged, edited.pk])

    with pytest.raises(CommandError, match=rf"sự kiện #{following.pk} \(step, 03/03/2026 14:00:00\): liên kết") as e:
        verify("--dossier", first.code)
    assert e.value.returncode == 2


@postgresql_only
def test_a_removed_event_breaks_the_link_of_the_one_after_it(pair):
    first, _second = pair
    removed, following = events_of(first)[1:3]
    tamper(f"DELETE FROM {EVENTS} WHERE id = %s", [removed.pk])

    report = chain_verify(DossierEvent.objects.order_by("dossier_id", "id").values(*CHAIN_COLUMNS))

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.kind) == (following.pk, "link")


def test_events_written_directly_are_chained_too(pair):
    """Any creation path (fixtures, scripts) goes through `save()` and links to the chain; the digest is taken of
    the data as the database returns it (a tuple comes back a list, an integer key a string)."""
    first, _second = pair
    DossierEvent.objects.create(dossier=first, action="note", at=at("2026-03-03 15:00"), data={"n": (1, "a"), 7: 1})
    assert DossierEvent.objects.latest("id").data == {"n": [1, "a"], "7": 1}
    assert "2 hồ sơ, 6 sự kiện" in verify()


# --- The database refuses to change history -------------------------------------------------------------------


@pytest.fixture
def read_row(pair, people):
    personal_data_read_log(user=people["officer"], dossier_id=pair[0].pk, purpose="view", ip_address="192.0.2.7")
    return PersonalDataAccess.objects.get()


@postgresql_only
@pytest.mark.parametrize("table", [EVENTS, READS])
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET {column} = {column} WHERE id = %s", "DELETE FROM {table} WHERE id = %s"]
)
def test_the_database_refuses_update_and_delete(pair, read_row, table, statement):
    column, pk = ("note", events_of(pair[0])[0].pk) if table == EVENTS else ("purpose", read_row.pk)
    before = (DossierEvent.objects.count(), PersonalDataAccess.objects.count())

    with pytest.raises(IntegrityError, match=rf"table {table} is append-only: (UPDATE|DELETE) of row id={pk}"):
        with transaction.atomic():
            sql(statement.format(table=table, column=column), [pk])

    assert (DossierEvent.objects.count(), PersonalDataAccess.objects.count()) == before


@postgresql_only
def test_bypassing_the_orm_guards_still_meets_the_trigger(pair):
    """`AppendOnlyQuerySet` refuses first; a plain QuerySet (what a careless script might build) meets the trigger."""
    with pytest.raises(Exception, match="chỉ được ghi thêm"):
        DossierEvent.objects.filter(dossier=pair[0]).update(note="x")
    with pytest.raises(Exception, match="không được xóa"):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(IntegrityError, match=EVENTS), transaction.atomic():
        models.QuerySet(DossierEvent).filter(dossier=pair[0]).update(note="x")
    assert not DossierEvent.objects.filter(note="x").exists()
    # bulk_create would skip save() and write rows outside the chain.
    with pytest.raises(NotImplementedError):
        DossierEvent.objects.bulk_create([DossierEvent(dossier=pair[0], action="x", at=at("2026-03-03 15:00"))])
    assert not DossierEvent.objects.filter(action="x").exists()


# --- A dossier cannot be deleted ---------------------------------------------------------------------------------


def test_a_dossier_cannot_be_deleted_one_by_one_or_in_bulk(pair):
    first, _second = pair
    events = DossierEvent.objects.count()
    with pytest.raises(DeletionRefused, match=f"Không được xóa hồ sơ {first.code}: "):
        first.delete()
    with pytest.raises(DeletionRefused, match="Không được xóa hồ sơ: "):
        Dossier.objects.filter(pk=first.pk).delete()
    with pytest.raises(DeletionRefused):
        Dossier.objects.all().delete()
    assert Dossier.objects.count() == 2
    assert DossierEvent.objects.count() == events


def test_a_draft_without_history_cannot_be_deleted_either(people, applicant_for, make_version, agencies):
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=make_version(),
        applicant=applicant_for(people["citizen"]),
        agency=agencies["000.00.31.H56"],
    )
    with pytest.raises(DeletionRefused, match=rf"Không được xóa hồ sơ #{draft.pk}: "):
        draft.delete()
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_nothing_refers_to_a_dossier_or_its_logs_in_a_way_that_erases_them():
    """Every relation into a dossier is PROTECT/RESTRICT, and the logs' own links never cascade or set NULL
    (a SET NULL would be an UPDATE the trigger refuses). Covers models added later by other apps too."""
    keep = (models.PROTECT, models.RESTRICT)
    into_dossier = {rel.related_model.__name__: rel.on_delete for rel in Dossier._meta.related_objects}
    assert set(into_dossier) >= {
        "DossierEvent",
        "PersonalDataAccess",
        "DossierFile",
        "DossierDocument",
        "DossierStep",
        "DossierPause",
        "DueAdjustment",
        "SupplementRequest",
        "Apology",
        "FeeLine",
    }
    assert {name: on_delete for name, on_delete in into_dossier.items() if on_delete not in keep} == {}
    for model in (DossierEvent, PersonalDataAccess):
        links = {f.name: f.remote_field.on_delete for f in model._meta.fields if f.is_relation}
        assert {name: on_delete for name, on_delete in links.items() if on_delete not in keep} == {}, model


def test_deleting_what_a_dossier_depends_on_is_refused(pair, people):
    first, _second = pair
    for owner in (first.applicant, first.procedure_version, people["desk"]):
        with pytest.raises(ProtectedError), transaction.atomic():
            owner.delete()
    assert Dossier.objects.filter(pk=first.pk, applicant=first.applicant).exists()
    assert DossierEvent.objects.filter(dossier=first, actor=people["desk"]).count() == 2


def test_the_admin_offers_no_delete(client, pair, people):
    first, _second = pair
    people["admin"].is_superuser = True
    people["admin"].save()
    client.force_login(people["admin"])

    changelist = client.get(reverse("admin:dossiers_dossier_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.text
    assert client.get(reverse("admin:dossiers_dossier_delete", args=[first.pk])).status_code == 403
    assert client.post(reverse("admin:dossiers_dossier_delete", args=[first.pk]), {"post": "yes"}).status_code == 403
    # Posting the bulk action by hand only shows the list again: it is not an action of this page.
    bulk = client.post(
        reverse("admin:dossiers_dossier_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    reads = client.get(reverse("admin:dossiers_personaldataaccess_changelist"))
    assert reads.status_code == 200
    assert "delete_selected" not in reads.text
    assert Dossier.objects.filter(pk=first.pk).exists()


# --- Who read, from where --------------------------------------------------------------------------------------

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def test_a_staff_read_of_the_page_records_address_and_browser(client, pair, people):
    first, _second = pair
    client.force_login(people["officer"])
    long_agent = FIREFOX + " " + "x" * 400

    response = client.get(f"/dossiers/{first.code}/", REMOTE_ADDR="203.113.7.9", HTTP_USER_AGENT=long_agent)

    assert response.status_code == 200
    read = PersonalDataAccess.objects.get()
    assert (read.user, read.dossier, read.purpose) == (people["officer"], first, "view")
    assert read.ip_address == "203.113.7.9"
    assert read.user_agent == long_agent[:300]
    assert read.at == at("2026-03-04 10:00")


def test_a_staff_file_download_records_address_and_browser(client, files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier,
        upload=SimpleUploadedFile("Giấy khai sinh.pdf", pdf_bytes()),
        actor=files_world.citizen,
    )
    client.force_login(files_world.desk)
    url = reverse("dossiers:file-download", kwargs={"code": files_world.dossier.code, "file_id": record.pk})

    response = client.get(url, REMOTE_ADDR="2001:db8::1", HTTP_USER_AGENT=FIREFOX)
    b"".join(response.streaming_content)

    assert response.status_code == 200
    read = PersonalDataAccess.objects.get()
    assert (read.purpose, read.ip_address, read.user_agent) == ("file_download", "2001:db8::1", FIREFOX)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "1.2.3.4, 198.51.100.20", "198.51.100.20"),  # from the proxy: the hop it saw
        ("10.0.0.2", "", "10.0.0.2"),  # the proxy sent no header
        ("10.0.0.2", "198.51.100.20, nonsense", "10.0.0.2"),  # a broken last hop is not believed
        ("203.113.7.9", "198.51.100.20", "203.113.7.9"),  # anyone else cannot choose their logged address
        ("", "", None),
    ],
)
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(rf, settings, remote, forwarded, expected):
    settings.TRUSTED_PROXY = ["10.0.0.2"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert request_client(request) == {"ip_address": expected, "user_agent": ""}
