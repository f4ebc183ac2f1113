import pytest


@pytest.mark.django_db
def test_vietnamese_first_even_for_an_english_browser(client):
    response = client.get("/procedures/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert "Thủ tục hành chính" in response.text


@pytest.mark.django_db
def test_the_switch_turns_the_site_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/procedures/"})
    assert response.status_code == 302

    english = client.get("/procedures/")
    assert english["Content-Language"] == "en"
    assert "Administrative procedures" in english.text
    assert "Thủ tục hành chính</h1>" not in english.text

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert client.get("/procedures/")["Content-Language"] == "vi"


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/")["Content-Language"] == "vi"
