"""The applicant is told of the moments that matter on the channels they chose — e-mail, SMS, both or none — in
Vietnamese with the dossier's code and a link to its page; internal steps say nothing; a redelivery or a retry
after one channel failed never sends anything twice."""

from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import CitizenProfile, FakeSms
from dossiers import services
from dossiers.models import DossierEvent
from dossiers.notifications import IDEMPOTENCY_HEADER, SMS_TOPIC, TOPIC, dossier_notify_sms, notify_key, sms_key
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver
from tests.dossiers.conftest import advance, at
from tests.dossiers.transition_cases import HANDOVER, ITEMS, REASON

pytestmark = pytest.mark.django_db

SITE = "https://dichvucong.example.vn"
PHONE = "0912345678"
EMAIL = "mai@example.vn"


class BrokenSms:
    """An SMS gateway that is down."""

    def send(self, to, body, *, key):
        raise ConnectionError("SMS gateway unreachable")


class BrokenMail:
    """A mail server that is down (an e-mail backend)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP server unreachable")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.SMS_BACKEND = "accounts.sms.DatabaseSmsBackend"
    # The outbox stamps its rows with the clock; the dossier moments are passed as `now=`.
    with time_machine.travel(at("2026-03-02 07:00"), tick=False):
        yield


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run a change and deliver what it wrote to the outbox at once, as the worker does after the commit."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


@pytest.fixture
def choose(people):
    """Set the citizen's channels on their profile."""

    def set_channels(*, email: bool, sms: bool) -> None:
        CitizenProfile.objects.filter(user=people["citizen"]).update(notify_email=email, notify_sms=sms)

    return set_channels


def local_date(value) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y}"


def sent_for(dossier, action):
    """The e-mail and the SMS sent about the dossier's last `action` event (None where nothing left)."""
    event = DossierEvent.objects.filter(dossier=dossier, action=action).latest("id")
    key = notify_key(event)
    mails = [m for m in mail.outbox if m.extra_headers.get(IDEMPOTENCY_HEADER) == key]
    assert len(mails) <= 1
    return (mails[0] if mails else None), FakeSms.objects.filter(idempotency_key=sms_key(key)).first()


# --- Each listed event: its e-mail and its SMS -----------------------------------------------------------------


def _intake_supplement(f):
    return advance(f.submitted(), ("request_supplement_intake", "desk", ITEMS), people=f.people)


def _in_processing(f):
    return advance(f.receive(), ("forward", "desk", {}), people=f.people)


def _counter(f, service, **params):
    return service(
        actor=f.people["desk"],
        procedure_version=f.make_version(),
        applicant=f.applicant_for(f.people["citizen"]),
        now=at("2026-03-02 10:00"),
        **params,
    )


SUPPLEMENT = ("Cần bổ sung hồ sơ", ["Thiếu bản sao giấy tờ tùy thân", "- Giấy tờ tùy thân: Bản sao"])
REFUSAL_REASON = REASON["note"]

# action → (how to get there, e-mail subject after "Hồ sơ <code>: ", texts in the e-mail, texts in the SMS); a
# callable text is computed from the dossier.
EVENTS = {
    "submit": (
        lambda f: f.submitted(),
        "Đã nộp hồ sơ trực tuyến",
        [lambda d: f"{timezone.localtime(d.acceptance_due_at):%H:%M %d/%m/%Y}"],
        ["nộp thành công", lambda d: f"{timezone.localtime(d.acceptance_due_at):%H:%M %d/%m/%Y}"],
    ),
    "receive_counter": (
        lambda f: f.receive(),
        "Mới tiếp nhận",
        ["đã được", "tiếp nhận", lambda d: f"Ngày hẹn trả kết quả: {local_date(d.original_due_at)}"],
        ["đã được tiếp nhận", lambda d: local_date(d.original_due_at)],
    ),
    "receive": (
        lambda f: advance(f.submitted(), ("receive", "desk", {}), people=f.people),
        "Mới tiếp nhận",
        [lambda d: f"Ngày hẹn trả kết quả: {local_date(d.original_due_at)}"],
        [lambda d: local_date(d.original_due_at)],
    ),
    "accept_supplement": (
        lambda f: advance(_intake_supplement(f), ("accept_supplement", "desk", {}), people=f.people),
        "Đã nhận hồ sơ bổ sung",
        [lambda d: f"Ngày hẹn trả kết quả: {local_date(d.current_due_at)}"],
        ["đã nhận hồ sơ bổ sung", lambda d: local_date(d.current_due_at)],
    ),
    "request_supplement_intake": (
        _intake_supplement,
        SUPPLEMENT[0],
        [*SUPPLEMENT[1], lambda d: f"Hạn nộp bổ sung: {local_date(d.supplement_request.applicant_deadline)}"],
        ["cần bổ sung", lambda d: local_date(d.supplement_request.applicant_deadline)],
    ),
    "request_supplement": (
        lambda f: advance(_in_processing(f), ("request_supplement", "officer", ITEMS), people=f.people),
        SUPPLEMENT[0],
        [*SUPPLEMENT[1], lambda d: f"Hạn nộp bổ sung: {local_date(d.supplement_request.applicant_deadline)}"],
        [lambda d: local_date(d.supplement_request.applicant_deadline)],
    ),
    "request_supplement_counter": (
        lambda f: _counter(f, services.dossier_request_supplement_counter, **ITEMS),
        SUPPLEMENT[0],
        [*SUPPLEMENT[1], lambda d: f"Hạn nộp bổ sung: {local_date(d.supplement_request.applicant_deadline)}"],
        [lambda d: local_date(d.supplement_request.applicant_deadline)],
    ),
    "refuse": (
        lambda f: advance(f.submitted(), ("refuse", "desk", {**REASON, "legal_basis": "Điều 9"}), people=f.people),
        "Không được tiếp nhận",
        [f"Lý do: {REFUSAL_REASON}", "Căn cứ pháp lý: Điều 9"],
        ["không được tiếp nhận", f"Lý do: {REFUSAL_REASON}. Xem:"],
    ),
    "refuse_counter": (
        lambda f: _counter(f, services.dossier_refuse_counter, **REASON),
        "Không được tiếp nhận",
        [f"Lý do: {REFUSAL_REASON}"],
        ["Lý do: Không thuộc thẩm quyền"],
    ),
    "expire_supplement": (
        lambda f: advance(
            _intake_supplement(f), ("expire_supplement", None, {}), people=f.people, when="2026-04-20 09:00"
        ),
        "Không được tiếp nhận",
        ["quá hạn bổ sung", lambda d: local_date(d.supplement_request.applicant_deadline)],
        ["quá hạn bổ sung", lambda d: local_date(d.supplement_request.applicant_deadline)],
    ),
    "stop": (
        lambda f: advance(_in_processing(f), ("stop", "head", REASON), people=f.people),
        "Dừng xử lý",
        [f"Lý do: {REFUSAL_REASON}"],
        ["dừng giải quyết"],
    ),
    "issue_result": (
        lambda f: advance(_in_processing(f), ("issue_result", "head", {"number": "20/QĐ-UBND"}), people=f.people),
        "Đã có kết quả",
        ["đã có kết quả giải quyết", "Mời Ông/Bà đến Bộ phận Một cửa"],
        ["đã có kết quả", "Mời nhận tại Bộ phận Một cửa."],
    ),
    "apologise": (
        # 06:30 in Hà Nội is 23:30 UTC the day before: the date must be read in Asia/Ho_Chi_Minh.
        lambda f: advance(
            _in_processing(f),
            ("apologise", "head", {"note": "Cần xác minh thêm", "new_due_at": at("2026-03-20 06:30")}),
            people=f.people,
        ),
        "Xin lỗi và hẹn lại ngày trả kết quả",
        ["xin lỗi", "Lý do: Cần xác minh thêm", "Thời gian hẹn trả kết quả mới: ngày 20/03/2026"],
        ["Xin lỗi", "hẹn trả lại ngày 20/03/2026"],
    ),
}


@pytest.fixture
def f(people, receive, submitted, make_version, applicant_for):
    """The engine's fixtures in one bundle, for the scenarios of `EVENTS`."""
    return SimpleNamespace(
        people=people, receive=receive, submitted=submitted, make_version=make_version, applicant_for=applicant_for
    )


def _texts(texts, dossier):
    return [text(dossier) if callable(text) else text for text in texts]


@pytest.mark.parametrize("action", list(EVENTS))
def test_each_listed_event_mails_and_texts_the_citizen_with_the_code_and_the_link(action, f, delivered):
    make, title, in_mail, in_sms = EVENTS[action]
    dossier = delivered(lambda: make(f))
    link = f"{SITE}/ho-so-cua-toi/{dossier.code}/"
    email, sms = sent_for(dossier, action)

    assert email is not None, f"no e-mail for {action}"
    assert email.to == [EMAIL]
    assert email.subject == f"Hồ sơ {dossier.code}: {title}"
    assert email.body.startswith("Kính gửi Hoàng Thị Mai,")
    for text in [link, *_texts(in_mail, dossier)]:
        assert text in email.body, f"{text!r} missing from the {action} e-mail"

    assert sms is not None, f"no SMS for {action}"
    assert sms.to == PHONE
    assert dossier.code in sms.body
    assert link in sms.body
    for text in _texts(in_sms, dossier):
        assert text in sms.body, f"{text!r} missing from the {action} SMS"
    assert "\n" not in sms.body
    assert len(sms.body) - len(link) <= 140, sms.body


def test_a_long_refusal_reason_is_cut_in_the_sms_and_whole_in_the_mail(f, delivered):
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã theo quy định " * 4
    dossier = delivered(lambda: _counter(f, services.dossier_refuse_counter, note=reason))
    email, sms = sent_for(dossier, "refuse_counter")
    assert reason.strip() in email.body
    assert "…" in sms.body
    assert reason.strip() not in sms.body


# --- The citizen's choices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email_on", "sms_on"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["both", "mail", "sms", "none"],
)
def test_the_citizen_gets_the_channels_they_chose(f, delivered, choose, email_on, sms_on):
    choose(email=email_on, sms=sms_on)
    dossier = delivered(lambda: f.receive())
    email, sms = sent_for(dossier, "receive_counter")
    assert (email is not None, sms is not None) == (email_on, sms_on)
    # Whatever was chosen, each channel's message was delivered: nothing waits to be retried.
    assert not OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).exists()


def test_a_channel_without_an_address_stays_silent(f, delivered):
    """E-mail and SMS on, but the applicant has no e-mail address and the profile none either."""
    CitizenProfile.objects.filter(user=f.people["citizen"]).update(email="", phone="")
    dossier = delivered(
        lambda: services.dossier_receive_counter(
            actor=f.people["desk"],
            procedure_version=f.make_version(),
            applicant=f.applicant_for(f.people["citizen"], email=""),
            now=at("2026-03-02 10:00"),
        )
    )
    email, sms = sent_for(dossier, "receive_counter")
    assert email is None
    assert sms.to == PHONE


def test_the_account_addresses_stand_in_for_an_applicant_without_them(f, delivered, people):
    CitizenProfile.objects.filter(user=people["citizen"]).update(email="mai.hoang@example.vn", phone="0987654321")
    applicant = f.applicant_for(people["citizen"], email="")
    applicant.phone = ""
    applicant.save()
    dossier = delivered(
        lambda: services.dossier_receive_counter(
            actor=people["desk"], procedure_version=f.make_version(), applicant=applicant, now=at("2026-03-02 10:00")
        )
    )
    email, sms = sent_for(dossier, "receive_counter")
    assert (email.to, sms.to) == (["mai.hoang@example.vn"], "0987654321")


@pytest.mark.parametrize(
    ("address", "phone", "expected"),
    [(EMAIL, PHONE, (True, True)), ("", PHONE, (False, True)), (EMAIL, "", (True, False))],
    ids=["both", "phone-only", "mail-only"],
)
def test_a_walk_in_applicant_without_an_account_gets_what_the_desk_recorded(f, delivered, address, phone, expected):
    applicant = f.applicant_for(None, email=address)
    applicant.phone = phone
    applicant.save()
    dossier = delivered(
        lambda: services.dossier_receive_counter(
            actor=f.people["desk"], procedure_version=f.make_version(), applicant=applicant, now=at("2026-03-02 10:00")
        )
    )
    email, sms = sent_for(dossier, "receive_counter")
    assert (email is not None, sms is not None) == expected


# --- What is not in the table ---------------------------------------------------------------------------------


def test_internal_steps_send_nothing(f, delivered):
    dossier = delivered(lambda: _in_processing(f))
    mail.outbox.clear()
    FakeSms.objects.all().delete()
    dossier = delivered(
        lambda: advance(
            dossier,
            ("step", "officer", {"name": "Thẩm định", "note": "Chuyển tổ thẩm định"}),
            ("assign", "head", {"handler": f.people["officer"]}),
            people=f.people,
        )
    )
    internal = DossierEvent.objects.filter(dossier=dossier, action__in=["step", "assign"])
    assert internal.count() == 2
    assert not OutboxMessage.objects.filter(key__in=[notify_key(e) for e in internal]).exists()
    assert mail.outbox == []
    assert not FakeSms.objects.exists()

    # forward (T6) is visible but not a moment of the table: an e-mail row, no SMS row.
    forward = DossierEvent.objects.get(dossier=dossier, action="forward")
    assert OutboxMessage.objects.filter(topic=TOPIC, key=notify_key(forward)).exists()
    assert not OutboxMessage.objects.filter(topic=SMS_TOPIC, key=sms_key(notify_key(forward))).exists()


def test_a_visible_event_outside_the_table_gets_the_generic_mail_with_the_link(f, delivered):
    dossier = delivered(lambda: f.receive())
    mail.outbox.clear()
    FakeSms.objects.all().delete()
    dossier = delivered(lambda: advance(dossier, ("forward", "desk", {}), people=f.people))
    [email] = mail.outbox
    assert email.subject == f"Hồ sơ {dossier.code}: Đang xử lý"
    assert f"{SITE}/ho-so-cua-toi/{dossier.code}/" in email.body
    assert not FakeSms.objects.exists()


def test_the_return_of_the_result_is_mailed_generically(f, delivered):
    dossier = delivered(
        lambda: advance(
            _in_processing(f),
            ("issue_result", "head", {"number": "15/QĐ"}),
            ("return_result", "desk", HANDOVER),
            people=f.people,
        )
    )
    email, sms = sent_for(dossier, "return_result")
    assert email.subject == f"Hồ sơ {dossier.code}: Đã trả kết quả"
    assert sms is None


# --- Exactly once per channel -----------------------------------------------------------------------------------


def _channels(dossier, action):
    event = DossierEvent.objects.filter(dossier=dossier, action=action).latest("id")
    key = notify_key(event)
    return OutboxMessage.objects.get(key=key), OutboxMessage.objects.get(key=sms_key(key))


def test_a_redelivered_message_sends_nothing_twice(f, delivered):
    dossier = delivered(lambda: f.receive())
    email_message, sms_message = _channels(dossier, "receive_counter")
    assert (email_message.dossier_id, sms_message.dossier_id) == (dossier.pk, None)
    for message in (email_message, sms_message):
        assert outbox_deliver(message.pk) == Outcome.ALREADY
    assert len(mail.outbox) == 1
    assert FakeSms.objects.count() == 1
    # Even the SMS handler run again by hand (a worker that died before marking it delivered) keeps one text.
    dossier_notify_sms(sms_message.payload, key=sms_message.key)
    assert FakeSms.objects.get().idempotency_key == sms_message.key


def test_a_retry_after_an_sms_failure_does_not_mail_again(f, delivered, settings):
    settings.SMS_BACKEND = "tests.dossiers.test_notifications_channels.BrokenSms"
    dossier = delivered(lambda: f.receive())
    email_message, sms_message = _channels(dossier, "receive_counter")
    email_message.refresh_from_db()
    sms_message.refresh_from_db()
    assert (email_message.state, sms_message.state) == (OutboxState.DELIVERED, OutboxState.PENDING)
    assert "SMS gateway unreachable" in sms_message.last_error
    assert len(mail.outbox) == 1

    settings.SMS_BACKEND = "accounts.sms.DatabaseSmsBackend"
    assert delivered(lambda: outbox_deliver(sms_message.pk)) == Outcome.DELIVERED
    assert len(mail.outbox) == 1
    assert FakeSms.objects.get().idempotency_key == sms_message.key


def test_a_retry_after_a_mail_failure_does_not_text_again(f, delivered, settings):
    settings.EMAIL_BACKEND = "tests.dossiers.test_notifications_channels.BrokenMail"
    dossier = delivered(lambda: f.receive())
    email_message, sms_message = _channels(dossier, "receive_counter")
    email_message.refresh_from_db()
    assert email_message.state == OutboxState.PENDING
    assert "SMTP server unreachable" in email_message.last_error
    assert FakeSms.objects.count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivered(lambda: outbox_deliver(email_message.pk)) == Outcome.DELIVERED
    assert len(mail.outbox) == 1
    assert FakeSms.objects.count() == 1


def test_the_choice_is_read_at_delivery(f, choose, django_capture_on_commit_callbacks):
    """SMS turned off after the change but before its delivery: the queued text is not sent."""
    with django_capture_on_commit_callbacks() as kicks:
        dossier = f.receive()
    choose(email=True, sms=False)
    for kick in kicks:
        kick()
    email, sms = sent_for(dossier, "receive_counter")
    assert email is not None
    assert sms is None
    assert not OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).exists()
