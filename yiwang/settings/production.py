"""Production: PostgreSQL from DATABASE_URL, secrets from env or *_FILE, hardened cookies."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from yiwang.settings.base import *  # noqa: F403
from yiwang.settings.env import env_bool, env_str

SECRET_KEY = env_str("YIWANG_SECRET_KEY") or ""
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("YIWANG_SECRET_KEY must be set to at least 32 random characters")
YIWANG_LOOKUP_KEY = env_str("YIWANG_LOOKUP_KEY") or ""
if len(YIWANG_LOOKUP_KEY) < 32:
    raise ImproperlyConfigured("YIWANG_LOOKUP_KEY must be set (32+ random characters)")
try:
    YIWANG_FIELD_KEYS = json.loads(env_str("YIWANG_FIELD_KEYS") or "{}")
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured('YIWANG_FIELD_KEYS must be JSON: {"1": "<base64 key>"}') from exc
if YIWANG_FIELD_KEY_CURRENT not in YIWANG_FIELD_KEYS:  # noqa: F405
    raise ImproperlyConfigured("YIWANG_FIELD_KEYS must contain YIWANG_FIELD_KEY_CURRENT")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("YIWANG_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The sandbox payment provider takes no money: never on in production unless asked for
# (a staging site, the benchmarks).
YIWANG_PAYMENT_SANDBOX = env_bool("YIWANG_PAYMENT_SANDBOX", False)
