"""Local demo and development: SQLite file, DEBUG, fixed non-secret keys."""

from __future__ import annotations

import base64
import hashlib

from yiwang.settings.base import *  # noqa: F403
from yiwang.settings.base import VAR_DIR
from yiwang.settings.env import env_bool, env_str

DEBUG = env_bool("YIWANG_DEBUG", True)
# Demo-only secrets, derived so a fresh clone runs with no set-up. Production refuses these.
SECRET_KEY = env_str("YIWANG_SECRET_KEY") or "yiwang-dev-only-not-a-secret"


def _dev_key(label: str) -> str:
    return base64.urlsafe_b64encode(
        hashlib.sha256(f"yiwang-dev:{label}".encode()).digest()
    ).decode()


YIWANG_FIELD_KEYS = {"1": _dev_key("field-1")}
YIWANG_LOOKUP_KEY = _dev_key("lookup")
VAR_DIR.mkdir(exist_ok=True)
# Served from the app folders directly; production runs collectstatic into STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's "phone" and "mailbox": files under var/ (docs/operators.md shows the SMTP set-up).
YIWANG_SMS_BACKEND = env_str("YIWANG_SMS_BACKEND") or "yiwang.notifications.backends.FileSmsBackend"
EMAIL_BACKEND = (
    env_str("YIWANG_EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
