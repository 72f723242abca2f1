"""Stable error codes of the identity domain."""

from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError


def login_failed() -> DomainError:
    # One message for "no such account" and "wrong password": never confirm an account exists.
    return DomainError("login_failed", _("账号或密码不正确。"), status=401)


def account_locked(until: str) -> DomainError:
    return DomainError(
        "account_locked",
        _("登录失败次数过多，账户已锁定至 %(until)s，请稍后再试或联系窗口解锁。"),
        params={"until": until},
        status=423,
    )
