"""Rating a returned dossier (docs/domain.md §9.3): once, by its owner, after the return, with the points shown."""

import pytest
import time_machine
from django.urls import reverse

from dossiers.models import Channel
from feedback.models import DossierRating
from tests.dossiers.conftest import advance, at
from tests.feedback.helpers import bring_to_returned, sample_feedback

pytestmark = pytest.mark.django_db

ANSWERS = {"contacts": "none", "bodies": "one", "attitude": "good", "ease": "satisfied", "overall": "very_satisfied"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-06 09:00"), tick=False):
        yield


def rate(client, dossier, data=None):
    return client.post(reverse("feedback:rate", kwargs={"code": dossier.code}), data or ANSWERS)


def test_the_owner_rates_once_and_sees_the_score(client, people, returned):
    client.force_login(people["citizen"])
    page = client.get(reverse("feedback:rate", kwargs={"code": returned.code}))
    assert page.status_code == 200
    assert "Trước hạn" in page.content.decode()  # the portal's own index 1, shown before the questions

    response = rate(client, returned, {**ANSWERS, "comment": "  Cán bộ hướng dẫn tận tình.  "})
    assert response.status_code == 302
    rating = DossierRating.objects.get(dossier=returned)
    # 1 early 2; 2 steps on time and early 1; 3 none 2; 4 one more body 1; 5 desk both ways 2; 6 published in full
    # 2; 7 good 2; 8 no feedback 2; 9 online service offered, filed at the counter 1.
    assert rating.points == {1: 2, 2: 1, 3: 2, 4: 1, 5: 2, 6: 2, 7: 2, 8: 2, 9: 1}
    assert rating.total == 15
    assert (rating.ease, rating.overall, rating.comment) == (
        "satisfied",
        "very_satisfied",
        "Cán bộ hướng dẫn tận tình.",
    )
    assert rating.user == people["citizen"]
    assert rating.agency == returned.receiving_agency
    assert rating.submitted_at == at("2026-03-06 09:00")

    shown = client.get(response["Location"]).content.decode()
    assert "15</strong> / 18" in shown
    assert "Thêm 1 cơ quan, đơn vị khác" in shown


def test_a_second_rating_changes_nothing_and_shows_the_saved_one(client, people, returned):
    client.force_login(people["citizen"])
    rate(client, returned)
    before = list(DossierRating.objects.values())
    again = rate(client, returned, {**ANSWERS, "attitude": "bad", "overall": "not_satisfied", "comment": "Khác"})
    assert again.status_code == 200
    assert "đánh giá đã lưu không thay đổi" in again.content.decode()
    assert list(DossierRating.objects.values()) == before


def test_before_the_return_the_page_says_so_and_saves_nothing(client, people, receive):
    dossier = advance(receive("2026-03-02 10:00"), ("forward", "desk", {}), people=people)
    client.force_login(people["citizen"])
    page = client.get(reverse("feedback:rate", kwargs={"code": dossier.code}))
    assert page.status_code == 200
    assert "Hồ sơ chưa được trả kết quả" in page.content.decode()
    response = rate(client, dossier)
    assert "Hồ sơ chưa được trả kết quả" in response.content.decode()
    assert not DossierRating.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("other_citizen", 404), ("desk", 403), ("leader", 403)])
def test_nobody_else_rates_or_sees_the_page(client, people, returned, who, status):
    client.force_login(people[who])
    assert client.get(reverse("feedback:rate", kwargs={"code": returned.code})).status_code == status
    assert rate(client, returned).status_code == status
    assert not DossierRating.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, returned):
    response = rate(client, returned)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not DossierRating.objects.exists()


def test_unanswered_questions_get_vietnamese_messages_and_nothing_is_saved(client, people, returned):
    client.force_login(people["citizen"])
    response = rate(client, returned, {"contacts": "none", "comment": "x" * 2001})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Vui lòng chọn mức độ hài lòng chung." in text
    assert "Vui lòng chọn nhận xét về thái độ của cán bộ." in text
    assert "Tối đa 2000 ký tự (bạn đã nhập 2001 ký tự)." in text
    assert not DossierRating.objects.exists()


def test_late_steps_a_late_total_and_late_feedback_lower_the_portal_points(client, people, receive, make_version):
    """Received Mon 02/03 with 3 working days (due Thu 05/03), forwarded a day late, resolved on Fri 06/03; the
    citizen's feedback about it was left unanswered past its deadline. Submitted online would have given 9 a point."""
    dossier = receive("2026-03-02 10:00", version=make_version(value=3, budgets=[1, 1, 1]))
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        feedback = sample_feedback(user=people["citizen"], agency=dossier.receiving_agency, now=at("2026-03-02 10:00"))
    feedback.dossier = dossier
    feedback.save(update_fields=["dossier"])
    dossier = bring_to_returned(
        dossier, people=people, forward="2026-03-04 09:00", result="2026-03-06 08:00", back="2026-03-06 08:30"
    )
    with time_machine.travel(at("2026-03-20 09:00"), tick=False):
        client.force_login(people["citizen"])
        rate(client, dossier)
    rating = DossierRating.objects.get(dossier=dossier)
    assert (rating.index_1, rating.index_2, rating.index_8, rating.index_9) == (0, 0, 0, 1)
    assert dossier.channel == Channel.COUNTER


def test_an_online_dossier_resolved_in_time_gets_the_online_index(client, people, submitted):
    dossier = advance(submitted("2026-03-02 08:00"), ("receive", "desk", {}), people=people, when="2026-03-02 09:00")
    dossier = bring_to_returned(dossier, people=people)
    client.force_login(people["citizen"])
    rate(client, dossier)
    rating = DossierRating.objects.get(dossier=dossier)
    assert dossier.channel == Channel.ONLINE
    assert (rating.index_5, rating.index_9) == (2, 2)
