"""Every citizen endpoint of API v1 (rule "api-citizen" in tests/portal/test_url_access.py) refuses an anonymous
caller with 401 and every staff role with 403, with the error body, and changes nothing; the list is read from
the URL resolver, so a new citizen endpoint is covered without being named here."""

import pytest

from dossiers.models import Dossier, DossierEvent
from tests.portal.test_url_access import SAMPLE_KWARGS, rule_for
from tests.portal.url_walk import live_urls

METHODS = ("get", "post", "patch", "delete")


def citizen_urls():
    return [url for url in live_urls() if rule_for(url) == "api-citizen"]


def test_there_are_citizen_endpoints_to_check():
    keys = {url.key for url in citizen_urls()}
    assert {"api:citizen-dossier-list", "api:citizen-draft-submit", "api:citizen-file-download"} <= keys


@pytest.mark.parametrize("who", ["anonymous", "desk", "officer", "head", "leader", "admin"])
def test_anonymous_gets_401_and_staff_403_everywhere(api, people, submitted, who):
    dossier = submitted()
    before = (Dossier.objects.values("status", "revision").get(pk=dossier.pk), DossierEvent.objects.count())
    if who != "anonymous":
        api.force_login(people[who])
    expected = 401 if who == "anonymous" else 403
    kwargs = {**SAMPLE_KWARGS, "code": dossier.code, "pk": str(dossier.pk)}
    failures = []
    for url in citizen_urls():
        target = url.path(kwargs)
        for method in METHODS:
            response = getattr(api, method)(target, {}, format="json")
            if response.status_code == 405:
                continue
            if response.status_code != expected or "code" not in response.json():
                failures.append(f"{method.upper()} {target}: {response.status_code}")
    assert failures == []
    assert (Dossier.objects.values("status", "revision").get(pk=dossier.pk), DossierEvent.objects.count()) == before
