"""Feedback and complaints (phản ánh, kiến nghị): the citizen writes, the agency concerned answers by a deadline in
working days, the citizen is told by e-mail and reads the answer."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from feedback.models import Feedback, Subject
from outbox.models import OutboxMessage
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, at
from tests.feedback.helpers import sample_feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(make_version):
    """A procedure of the commune only, so a feedback about it goes to the commune."""
    return make_version()


def form(version, **changes):
    data = {
        "subject": Subject.PROCEDURE,
        "procedure_code": version.procedure.code,
        "title": "Hướng dẫn chưa rõ",
        "content": "Trang thủ tục không nói rõ cần bản sao hay bản chính.",
        "client_key": "k-1",
    }
    return {**data, **changes}


def send(client, data):
    return client.post(reverse("feedback:new"), data)


def test_a_feedback_about_a_procedure_goes_to_its_agency_with_a_reference_and_a_deadline(
    client, people, agencies, version
):
    """Received Thu 12/02/2026 10:00; 10 working days: Fri 13/02, then Tết 16–20/02 and the weekends are skipped,
    23/02–27/02 and 02/03–05/03 → Thu 05/03/2026 10:00."""
    client.force_login(people["citizen"])
    with time_machine.travel(at("2026-02-12 10:00"), tick=False):
        response = send(client, form(version))
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:detail", kwargs={"feedback_id": feedback.pk})
    assert feedback.reference == f"PAKN-260212-{feedback.pk:06d}"
    assert feedback.agency == agencies[COMMUNE]
    assert feedback.procedure == version.procedure
    assert feedback.answer_due_at == at("2026-03-05 10:00")
    assert feedback.user == people["citizen"]
    page = client.get(response["Location"]).content.decode()
    assert feedback.reference in page
    assert "05/03/2026" in page


def test_after_closing_before_a_holiday_the_count_starts_at_the_next_working_day(client, people, settings, version):
    """Fri 24/04/2026 18:00, 3 working days: the weekend and Mon 27/04 (compensatory day) are off, so counting
    starts Tue 28/04 07:00; 29/04 (1), 30/04–03/05 holidays and weekend, 04/05 (2), 05/05 (3)."""
    settings.FEEDBACK_ANSWER_DAYS = 3
    client.force_login(people["citizen"])
    with time_machine.travel(at("2026-04-24 18:00"), tick=False):
        send(client, form(version))
    assert Feedback.objects.get().answer_due_at == at("2026-05-05 07:00")


def test_a_double_submit_keeps_one_feedback(client, people, version):
    client.force_login(people["citizen"])
    first, second = send(client, form(version)), send(client, form(version))
    assert first["Location"] == second["Location"]
    assert Feedback.objects.count() == 1


def test_another_person_s_client_key_is_refused_and_gives_nothing_away(client, people, version):
    client.force_login(people["citizen"])
    send(client, form(version))
    client.force_login(people["other_citizen"])
    response = send(client, form(version, title="Của người khác"))
    assert response.status_code == 200
    assert "Biểu mẫu đã hết hiệu lực" in response.content.decode()
    assert Feedback.objects.get().user == people["citizen"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": ""}, "Vui lòng nhập nội dung phản ánh, kiến nghị."),
        ({"content": "   "}, "Vui lòng nhập nội dung phản ánh, kiến nghị."),
        ({"content": "x" * 4001}, "Tối đa 4000 ký tự (bạn đã nhập 4001 ký tự)."),
        ({"title": ""}, "Vui lòng nhập tiêu đề."),
        ({"procedure_code": ""}, "Vui lòng nhập mã thủ tục hành chính bạn muốn phản ánh."),
        ({"procedure_code": "9.999999"}, "Không tìm thấy thủ tục hành chính có mã 9.999999."),
        ({"subject": Subject.AGENCY, "procedure_code": ""}, "Vui lòng chọn cơ quan tiếp nhận, xử lý phản ánh"),
        ({"subject": "other"}, "Vui lòng chọn nội dung phản ánh, kiến nghị về thủ tục hay về cơ quan."),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_nothing_is_saved(client, people, version, changes, message):
    client.force_login(people["citizen"])
    response = send(client, form(version, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_someone_else_s_dossier_code_is_not_found(client, people, version, receive):
    dossier = receive("2026-03-02 10:00")
    client.force_login(people["other_citizen"])
    response = send(client, form(version, dossier_code=dossier.code))
    assert "Không tìm thấy hồ sơ của bạn với mã này." in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_feedback_about_the_citizen_s_own_dossier_goes_to_the_dossier_s_agency(client, people, agencies, receive):
    dossier = receive("2026-03-02 10:00")
    client.force_login(people["citizen"])
    data = form(
        dossier.procedure_version, procedure_code="", dossier_code=dossier.code, agency=agencies[OTHER_COMMUNE].pk
    )
    send(client, data)
    feedback = Feedback.objects.get()
    assert (feedback.dossier, feedback.agency) == (dossier, dossier.receiving_agency)
    assert feedback.procedure == dossier.procedure_version.procedure


def test_a_feedback_about_an_agency_needs_no_procedure(client, people, agencies, version):
    client.force_login(people["citizen"])
    send(client, form(version, subject=Subject.AGENCY, procedure_code="", agency=agencies[OTHER_COMMUNE].pk))
    feedback = Feedback.objects.get()
    assert (feedback.agency, feedback.procedure) == (agencies[OTHER_COMMUNE], None)


def test_the_form_finds_procedures_in_the_catalogue_and_offers_their_code(client, people, version):
    client.force_login(people["citizen"])
    page = client.get(reverse("feedback:new"), {"tim": "ket hon"}).content.decode()
    assert f"?thu-tuc={version.procedure.code}" in page
    chosen = client.get(reverse("feedback:new"), {"thu-tuc": version.procedure.code}).content.decode()
    assert f'value="{version.procedure.code}"' in chosen


def test_the_citizen_lists_their_own_feedback_only_and_another_s_is_404(
    client, people, agencies, django_assert_num_queries
):
    mine = sample_feedback(user=people["citizen"], agency=agencies[COMMUNE])
    for n in range(3):
        sample_feedback(user=people["citizen"], agency=agencies[OTHER_COMMUNE], title=f"Góp ý {n}")
    theirs = sample_feedback(user=people["other_citizen"], agency=agencies[COMMUNE], title="Của người khác")
    client.force_login(people["citizen"])
    # session, user, the role check's staff profile probe, the list (agency and procedure joined): the same for one
    # row or many.
    with django_assert_num_queries(4):
        page = client.get(reverse("feedback:mine")).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    assert client.get(reverse("feedback:detail", kwargs={"feedback_id": theirs.pk})).status_code == 404
    assert client.get(reverse("feedback:detail", kwargs={"feedback_id": mine.pk})).status_code == 200


# --- The agency answers ----------------------------------------------------------------------------------------


@pytest.fixture
def open_feedback(people, agencies):
    """Received Thu 05/03/2026 09:00 by the commune: due Thu 19/03/2026 09:00."""
    return sample_feedback(user=people["citizen"], agency=agencies[COMMUNE], now=at("2026-03-05 09:00"))


def answer(client, feedback, text="Cảm ơn bạn. Bộ phận Một cửa đã bổ sung hướng dẫn."):
    return client.post(reverse("feedback:answer", kwargs={"feedback_id": feedback.pk}), {"answer": text})


@pytest.mark.parametrize("who", ["desk", "officer", "head"])
def test_the_agency_answers_once_on_time_and_the_citizen_gets_an_e_mail(
    client, people, open_feedback, who, django_capture_on_commit_callbacks
):
    people["citizen"].email = "mai@example.vn"
    people["citizen"].save(update_fields=["email"])
    client.force_login(people[who])
    with time_machine.travel(at("2026-03-19 16:00"), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = answer(client, open_feedback)
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.answered_at, feedback.answered_by, feedback.on_time) == (at("2026-03-19 16:00"), people[who], True)
    assert OutboxMessage.objects.get().key == f"feedback.answered:{feedback.pk}"
    (sent,) = mail.outbox
    assert sent.to == ["mai@example.vn"]
    assert feedback.reference in sent.subject
    assert "Bộ phận Một cửa đã bổ sung hướng dẫn" in sent.body

    again = answer(client, feedback, "Trả lời lần hai")
    assert again.status_code == 200  # the page shows the answer given; there is no form any more
    assert Feedback.objects.get().answer == feedback.answer

    client.force_login(people["citizen"])
    page = client.get(reverse("feedback:detail", kwargs={"feedback_id": feedback.pk})).content.decode()
    assert "Bộ phận Một cửa đã bổ sung hướng dẫn" in page


def test_an_answer_after_the_due_date_is_late(client, people, open_feedback):
    client.force_login(people["head"])
    with time_machine.travel(at("2026-03-20 08:00"), tick=False):
        inbox = client.get(reverse("feedback:inbox")).content.decode()
        answer(client, open_feedback)
    assert "Quá hạn trả lời" in inbox
    assert Feedback.objects.get().on_time is False


def test_the_inbox_shows_open_feedback_by_deadline_not_yet_late(client, people, agencies, open_feedback):
    later = sample_feedback(user=people["citizen"], agency=agencies[COMMUNE], now=at("2026-03-10 09:00"), title="Sau")
    elsewhere = sample_feedback(user=people["citizen"], agency=agencies[OTHER_COMMUNE], title="Nơi khác")
    client.force_login(people["desk"])
    with time_machine.travel(at("2026-03-19 09:00"), tick=False):
        page = client.get(reverse("feedback:inbox")).content.decode()
    assert page.index(open_feedback.reference) < page.index(later.reference)
    assert elsewhere.reference not in page
    assert "Quá hạn trả lời" not in page
    assert "19/03/2026" in page


def test_the_inbox_pins_its_query_count(client, people, agencies, django_assert_num_queries):
    for n in range(4):
        sample_feedback(user=people["citizen"], agency=agencies[COMMUNE], title=f"Góp ý {n}")
    client.force_login(people["officer"])
    # session, user with the staff profile, the rows (procedure and sender joined).
    with django_assert_num_queries(4):
        client.get(reverse("feedback:inbox"))


@pytest.mark.parametrize(
    ("who", "status"), [("other_desk", 404), ("other_head", 404), ("leader", 403), ("citizen", 403)]
)
def test_nobody_else_reads_or_answers_the_agency_s_feedback(client, people, open_feedback, who, status):
    client.force_login(people[who])
    assert client.get(reverse("feedback:answer", kwargs={"feedback_id": open_feedback.pk})).status_code == status
    assert answer(client, open_feedback).status_code == status
    assert Feedback.objects.get().answered_at is None
    assert not OutboxMessage.objects.exists()


def test_an_empty_answer_is_refused_in_vietnamese(client, people, open_feedback):
    client.force_login(people["head"])
    response = answer(client, open_feedback, "   ")
    assert response.status_code == 200
    assert "Vui lòng nhập nội dung trả lời." in response.content.decode()
    assert Feedback.objects.get().answered_at is None
