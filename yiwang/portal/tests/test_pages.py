"""The pages a visitor sees: Chinese first, English on request, elder-friendly mode."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from conftest import PASSWORD, client_for


@pytest.mark.django_db
def test_home_is_chinese_and_accessible(city) -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "一网通办" in html and "南昌市" in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link to the main landmark
    assert "<nav" in html and "<footer" in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


@pytest.mark.django_db
def test_browser_language_does_not_switch_pages_away_from_chinese(city) -> None:
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in html and "我要办事" in html


@pytest.mark.django_db
def test_english_switch(city) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "One-stop government services" in html
    assert "简体中文" in html  # the way back
    # LocaleMiddleware leaves the request's language active in this thread; put Chinese back
    # so tests that run after this one in the same worker see the default language.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.django_db
def test_elder_mode_toggle(city) -> None:
    client = Client()
    response = client.post("/preferences/elder/", {"elder": "1", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'class="elder"' in html.split("<head>")[0]  # on <html>, so rem sizes scale
    assert 'aria-pressed="true"' in html
    client.post("/preferences/elder/", {"elder": "0", "next": "/"})
    assert 'class="elder"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_elder_toggle_refuses_offsite_redirects(city) -> None:
    response = Client().post("/preferences/elder/", {"elder": "1", "next": "https://evil.example"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_login_page_labels_every_field(city) -> None:
    html = Client().get("/accounts/login/").content.decode()
    for field_id in ("id_identifier", "id_password"):
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.django_db
def test_citizen_logs_in_and_sees_their_space(personas) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"identifier": personas.citizen.phone, "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert "我的空间" in page and "张伟" in page
    assert "**********" in page  # the document number is masked even to its holder
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302


@pytest.mark.django_db
def test_staff_home_shows_post_and_counts(personas) -> None:
    html = client_for(personas.clerk_a).get("/", follow=True).content.decode()
    assert "工作台" in html and "东湖区行政审批局" in html and "窗口受理人员" in html


@pytest.mark.django_db
def test_logout_needs_post(personas) -> None:
    client = client_for(personas.citizen)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_domain_error_page_has_code_and_status(personas) -> None:
    response = client_for(personas.citizen).get("/workbench/")
    assert response.status_code == 403
    assert "permission_denied" in response.content.decode()
