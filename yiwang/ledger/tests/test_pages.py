"""The public 溯源 page: anyone finds an entry by digest or subject and sees its proof."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conftest import client_for
from yiwang.ledger import queries
from yiwang.ledger.sequencer import sequence_pending
from yiwang.ledger.tests.conftest import anchor_many
from yiwang.ledger.tlog.encoding import b64encode

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(no_task):
    sealed = anchor_many(3)
    sequence_pending()
    pending = anchor_many(1, start=3)
    return sealed + pending


def test_search_page_is_public_accessible_and_chinese(entries) -> None:
    html = Client().get("/ledger/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "存证溯源" in html
    assert 'for="q"' in html and 'id="q"' in html and 'role="search"' in html
    assert "yiwang.example/360100/log" in html  # the log's name and size are shown


def test_find_a_sealed_entry_by_digest_and_open_its_proof(entries) -> None:
    client = Client()
    html = client.get("/ledger/", {"q": entries[1].digest.upper()}).content.decode()
    assert 'href="/ledger/entries/1/"' in html
    assert "已记入账本" in html
    assert '<th scope="col">' in html

    detail = client.get("/ledger/entries/1/").content.decode()
    assert len(re.findall(r"<h1[ >]", detail)) == 1
    assert entries[1].digest in detail
    log = queries.published()
    for value in queries.inclusion_proof(queries.sealed_entry(1, log), log):
        assert b64encode(value) in detail
    assert f'href="/ledger/receipt/{entries[1].digest}?index=1"' in detail
    assert 'href="/ledger/entries/1/data"' in detail
    assert str(queries.log_vkey()) in detail  # what to verify the receipt with


def test_find_by_subject_shows_a_pending_entry_without_a_link(entries) -> None:
    html = Client().get("/ledger/", {"q": entries[3].subject}).content.decode()
    assert "已登记，等待记入账本" in html
    assert "/ledger/entries/3/" not in html


def test_nothing_found_and_bad_input(entries) -> None:
    client = Client()
    nothing = client.get("/ledger/", {"q": "0" * 64})
    assert nothing.status_code == 200
    assert "没有找到匹配的存证记录" in nothing.content.decode()
    bad = client.get("/ledger/", {"q": "x" * 300})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'role="alert"' in html and 'aria-invalid="true"' in html


def test_unknown_or_pending_index_is_a_404_page(entries) -> None:
    client = Client()
    assert client.get("/ledger/entries/3/").status_code == 404  # pending
    assert client.get("/ledger/entries/99999999999/").status_code == 404


def test_english_page_is_complete(entries) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/ledger/"})
    html = client.get("/ledger/", {"q": entries[0].digest}).content.decode()
    assert '<html lang="en">' in html
    assert "Ledger lookup" in html and "Sealed into the ledger" in html
    detail = client.get("/ledger/entries/0/").content.decode()
    assert "Inclusion proof" in detail and "Download the receipt" in detail
    assert not re.search(r"[\u4e00-\u9fff]", _visible_text_without_data(detail, entries))


def _visible_text_without_data(html: str, entries) -> str:
    """Page text minus the city's name and the brand, which are data, not interface."""
    text = re.sub(r"<[^>]+>", " ", html)
    for data in ("南昌市", "简体中文"):
        text = text.replace(data, "")
    return text


def test_pagination_keeps_the_query(no_task) -> None:
    for _ in range(30):
        anchor_many(1, start=7)  # 30 events of the same case
    html = Client().get("/ledger/", {"q": "360102-2026-000007"}).content.decode()
    assert "?q=360102-2026-000007&amp;page=2" in html


def test_logged_in_users_see_the_same_page(entries, personas) -> None:
    html = client_for(personas.citizen).get("/ledger/", {"q": entries[0].digest}).content.decode()
    assert 'href="/ledger/entries/0/"' in html


def test_elder_mode_applies(entries) -> None:
    client = Client()
    client.post("/preferences/elder/", {"elder": "1", "next": "/ledger/"})
    assert 'class="elder"' in client.get("/ledger/").content.decode().split("<head>")[0]
