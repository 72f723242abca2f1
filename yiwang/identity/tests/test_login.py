"""Log-in by phone, ID number or user name; ten failures lock the account, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from yiwang.core.models import AuditEntry
from yiwang.identity import actions
from yiwang.identity.models import User


def login(client: Client, identifier: str, password: str):
    return client.post("/accounts/login/", {"identifier": identifier, "password": password})


@pytest.mark.django_db
def test_log_in_by_phone_id_number_and_user_name(personas) -> None:
    from yiwang.core.crypto import decrypt_text

    person = personas.citizen.person
    number = decrypt_text(person.document_encrypted, context="person.document")
    for identifier in (personas.citizen.phone, number, personas.clerk_a.username):
        client = Client()
        response = login(client, identifier, PASSWORD)
        assert response.status_code == 302, identifier
        assert client.get("/api/v1/identity/me").status_code == 200


@pytest.mark.django_db
def test_wrong_password_gives_one_message_for_all(personas) -> None:
    wrong = login(Client(), personas.citizen.phone, "nope")
    unknown = login(Client(), "13000000000", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "账号或密码不正确" in wrong.content.decode()
    assert "账号或密码不正确" in unknown.content.decode()


@pytest.mark.django_db
def test_ten_failures_lock_the_account_and_are_audited(personas) -> None:
    phone = personas.citizen.phone
    for _ in range(9):
        assert login(Client(), phone, "wrong").status_code == 401
    tenth = login(Client(), phone, "wrong")
    assert tenth.status_code == 423
    assert "已锁定" in tenth.content.decode()
    # Even the right password is refused while locked.
    assert login(Client(), phone, PASSWORD).status_code == 423
    lock = AuditEntry.objects.get(action="identity.account_locked")
    assert lock.subject_id == str(personas.citizen.pk)
    assert lock.after["failed_login_count"] == 10


@pytest.mark.django_db
def test_lock_expires_and_the_unlock_is_audited(personas) -> None:
    user = personas.citizen
    User.objects.filter(pk=user.pk).update(
        failed_login_count=10, locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert login(Client(), user.phone, PASSWORD).status_code == 302
    unlock = AuditEntry.objects.get(action="identity.account_unlocked")
    assert unlock.after == {"reason": "lock period over"}
    user.refresh_from_db()
    assert (user.failed_login_count, user.locked_until) == (0, None)


@pytest.mark.django_db
def test_staff_unlocks_an_account(personas) -> None:
    from yiwang.core.errors import PermissionDenied

    user = personas.citizen
    User.objects.filter(pk=user.pk).update(
        failed_login_count=10, locked_until=timezone.now() + dt.timedelta(minutes=30)
    )
    with pytest.raises(PermissionDenied):
        actions.unlock_account(actor=personas.other_citizen, user=user)
    actions.unlock_account(actor=personas.city_admin, user=user)
    entry = AuditEntry.objects.get(action="identity.account_unlocked")
    assert entry.actor == personas.city_admin
    assert login(Client(), user.phone, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failure_count(personas) -> None:
    for _ in range(5):
        login(Client(), personas.citizen.phone, "wrong")
    assert login(Client(), personas.citizen.phone, PASSWORD).status_code == 302
    personas.citizen.refresh_from_db()
    assert personas.citizen.failed_login_count == 0


@pytest.mark.django_db
def test_open_redirect_is_refused(personas) -> None:
    response = Client().post(
        "/accounts/login/",
        {
            "identifier": personas.citizen.phone,
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_sessions_expire_when_idle(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "yiwang.core.middleware.SessionIdleMiddleware" in settings.MIDDLEWARE


def test_production_hashes_passwords_with_argon2() -> None:
    from yiwang.settings import base

    assert base.PASSWORD_HASHERS[0] == "yiwang.identity.hashers.OwaspArgon2PasswordHasher"
    from yiwang.identity.hashers import OwaspArgon2PasswordHasher

    hashed = OwaspArgon2PasswordHasher().encode("secret", OwaspArgon2PasswordHasher().salt())
    assert hashed.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_api_token_auth(personas) -> None:
    from yiwang.core.actors import SYSTEM
    from yiwang.identity.choices import AccountKind

    system = User.objects.create_user("sys.tax", kind=AccountKind.SYSTEM, display_name="税务系统")
    token, raw = actions.issue_api_token(actor=SYSTEM, user=system, name="tax")
    ok = Client().get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200 and ok.json()["username"] == "sys.tax"
    bad = Client().get("/api/v1/identity/me", HTTP_AUTHORIZATION="Bearer yw_forged")
    assert bad.status_code == 401 and bad.json()["code"] == "not_authenticated"
    token.revoked_at = timezone.now()
    token.save()
    assert (
        Client().get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    )


@pytest.mark.django_db
def test_session_idle_window_is_renewed_without_a_write_per_request(personas) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    login(client, personas.citizen.phone, PASSWORD)
    key = client.cookies["sessionid"].value
    client.get("/api/v1/identity/me")
    first_expiry = Session.objects.get(session_key=key).expire_date
    client.get("/api/v1/identity/me")
    assert Session.objects.get(session_key=key).expire_date == first_expiry  # no write
    session = client.session
    session["_yiwang_seen"] = 0  # last seen long ago
    session.save()
    stale = Session.objects.get(session_key=key).expire_date
    Session.objects.filter(session_key=key).update(expire_date=stale - dt.timedelta(minutes=20))
    client.get("/api/v1/identity/me")
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + dt.timedelta(minutes=29)
