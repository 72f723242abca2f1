"""Settings shared by every role (dev, test, production); site-specific values come from env."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from yiwang.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env_str("YIWANG_SECRET_KEY") or ""
DEBUG = False
ALLOWED_HOSTS = env_list("YIWANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "yiwang.core",
    "yiwang.regions",
    "yiwang.identity",
    "yiwang.catalog",
    "yiwang.certificates",
    "yiwang.ledger",
    "yiwang.cases",
    "yiwang.exchange",
    "yiwang.api",
    "yiwang.portal",
    "yiwang.notifications",
    "yiwang.payments",
    "yiwang.appointments",
    "yiwang.ratings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiwang.core.middleware.PreferenceMiddleware",
    "yiwang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yiwang.core.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yiwang.core.web.DomainErrorMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yiwang.core.context_processors.preferences",
            ],
        },
    },
]


# IMMEDIATE takes the write lock at BEGIN, so read-then-write transactions never deadlock on
# lock upgrade; WAL lets readers run beside the single writer.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_config(url: str | None) -> dict[str, object]:
    """SQLite file by default; DATABASE_URL (PostgreSQL, or another SQLite file) when set."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "yiwang.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    return config


DATABASES = {"default": database_config(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["yiwang.identity.backends.PhoneOrIdNumberBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:home"
PASSWORD_HASHERS = [
    "yiwang.identity.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle sessions end after 30 minutes. The window is renewed by SessionIdleMiddleware at most
# once a minute rather than on every request, so a busy reader does not write on every GET.
SESSION_COOKIE_AGE = env_int("YIWANG_SESSION_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
YIWANG_SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
# Uploaded case materials; never served directly: views check who may read each file.
MEDIA_ROOT = Path(env_str("YIWANG_MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
STATIC_ROOT: Path | None = VAR_DIR / "static"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"yiwang": {"level": "INFO"}},
}

# --- Yiwang ---
# Field encryption keys for identity numbers: {key id: urlsafe-base64 32-byte key}; the current
# id encrypts, every listed id decrypts, so keys rotate without a flag day.
YIWANG_FIELD_KEYS: dict[str, str] = {}
YIWANG_FIELD_KEY_CURRENT = env_str("YIWANG_FIELD_KEY_CURRENT", "1") or "1"
# Keyed hash for looking identity numbers up without storing them readable.
YIWANG_LOOKUP_KEY = env_str("YIWANG_LOOKUP_KEY") or ""
# Working-day clock: does the day a clock starts count as day one? The law's usual reading is
# no (the clock starts on the next working day).
YIWANG_CLOCK_START_DAY_COUNTS = env_bool("YIWANG_CLOCK_START_DAY_COUNTS", False)
YIWANG_LOGIN_MAX_FAILURES = env_int("YIWANG_LOGIN_MAX_FAILURES", 10)
YIWANG_LOGIN_LOCK_MINUTES = env_int("YIWANG_LOGIN_LOCK_MINUTES", 30)
YIWANG_ELDER_MODE_COOKIE = "yiwang_elder"
# The platform's public URL: credential ids, issuer keys and status lists are published under it
# and printed in QR codes, so it must be the address the public reaches, fixed for good. After a
# move, list the old address in YIWANG_FORMER_PUBLIC_URLS so certificates signed there verify.
YIWANG_PUBLIC_URL = env_str("YIWANG_PUBLIC_URL") or "http://127.0.0.1:8000"
YIWANG_FORMER_PUBLIC_URLS = env_list("YIWANG_FORMER_PUBLIC_URLS", [])
# Public certificate verification: a token bucket per client IP (burst, then per minute).
YIWANG_VERIFY_BURST = env_int("YIWANG_VERIFY_BURST", 30)
YIWANG_VERIFY_PER_MINUTE = env_int("YIWANG_VERIFY_PER_MINUTE", 60)
# Behind a reverse proxy, take the client address from the last X-Forwarded-For hop.
YIWANG_TRUST_X_FORWARDED_FOR = env_bool("YIWANG_TRUST_X_FORWARDED_FOR", False)
# The longest a holder may share a certificate link for.
YIWANG_SHARE_MAX_DAYS = 30

# --- Ledger (存证账本) ---
# The origin line names this city's log in every checkpoint and is the log key's name. It is
# permanent: a different origin is a different log. Use "<your domain>/<city code>/log".
YIWANG_LEDGER_ORIGIN = env_str("YIWANG_LEDGER_ORIGIN", "yiwang.example/360100/log") or ""
# An optional witness (见证方) key: a signer key string (PRIVATE+KEY+...) that cosigns each new
# checkpoint after checking it is consistent with the last one it cosigned.
YIWANG_LEDGER_WITNESS_KEY = env_str("YIWANG_LEDGER_WITNESS_KEY") or ""
# A batch is sealed when it holds this many entries or its oldest entry has waited this long.
YIWANG_LEDGER_BATCH_SIZE = env_int("YIWANG_LEDGER_BATCH_SIZE", 256)
YIWANG_LEDGER_BATCH_WAIT_MS = env_int("YIWANG_LEDGER_BATCH_WAIT_MS", 250)
# Enqueue the sequencer task when an anchoring transaction commits (off when only the
# `ledger_sequencer` loop runs).
YIWANG_LEDGER_SEQUENCE_ON_COMMIT = env_bool("YIWANG_LEDGER_SEQUENCE_ON_COMMIT", True)
# Test-only: seconds the sequencer sleeps in the middle of each batch, so a test can kill it.
YIWANG_LEDGER_TEST_BATCH_PAUSE = 0.0

# --- Around a case (issue 7): payments, appointments, ratings, notifications ---
# The built-in sandbox provider (a cashier page that takes no money). On by default for
# development and tests; production.py turns it off unless YIWANG_PAYMENT_SANDBOX=true.
YIWANG_PAYMENT_SANDBOX = env_bool("YIWANG_PAYMENT_SANDBOX", True)
# Payment providers by code; channels (WeChat, Alipay, UnionPay, bank) map onto a provider.
YIWANG_PAYMENT_PROVIDERS = {"sandbox": "yiwang.payments.providers.sandbox.SandboxProvider"}
YIWANG_PAYMENT_CHANNEL_PROVIDERS = {
    "wechat": "sandbox",
    "alipay": "sandbox",
    "unionpay": "sandbox",
    "bank": "sandbox",
}
# A payment code (缴款码) stays payable this long (3 days); then the order and the provider's
# trade are closed.
YIWANG_PAYMENT_ORDER_TTL_MINUTES = env_int("YIWANG_PAYMENT_ORDER_TTL_MINUTES", 3 * 24 * 60)
# The sandbox signs callbacks with this secret (HMAC-SHA256); empty: derived from SECRET_KEY.
YIWANG_PAYMENT_SANDBOX_SECRET = env_str("YIWANG_PAYMENT_SANDBOX_SECRET") or ""
# Like a real provider, the sandbox sends every notification more than once, late.
YIWANG_PAYMENT_SANDBOX_CALLBACK_COPIES = env_int("YIWANG_PAYMENT_SANDBOX_CALLBACK_COPIES", 2)
YIWANG_PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS = env_int(
    "YIWANG_PAYMENT_SANDBOX_CALLBACK_DELAY_SECONDS", 2
)
# A callback older (or newer) than this is refused as a possible replay.
YIWANG_PAYMENT_CALLBACK_TOLERANCE_SECONDS = 300
# Appointments (延时错时预约).
YIWANG_BOOKING_MAX_ACTIVE = env_int("YIWANG_BOOKING_MAX_ACTIVE", 3)
YIWANG_BOOKING_MAX_PER_ITEM_PER_DAY = env_int("YIWANG_BOOKING_MAX_PER_ITEM_PER_DAY", 1)
YIWANG_BOOKING_HORIZON_DAYS = env_int("YIWANG_BOOKING_HORIZON_DAYS", 14)
YIWANG_NO_SHOW_LIMIT = env_int("YIWANG_NO_SHOW_LIMIT", 3)
YIWANG_NO_SHOW_WINDOW_DAYS = env_int("YIWANG_NO_SHOW_WINDOW_DAYS", 90)
YIWANG_NO_SHOW_BAN_DAYS = env_int("YIWANG_NO_SHOW_BAN_DAYS", 30)
YIWANG_NO_SHOW_GRACE_MINUTES = env_int("YIWANG_NO_SHOW_GRACE_MINUTES", 30)
YIWANG_BOOKING_REMINDER_HOURS = env_int("YIWANG_BOOKING_REMINDER_HOURS", 24)
# Ratings (好差评): the default rating after N natural days; the rectification deadline in
# working days (5 in Dezhou, 15 in a Sichuan city: DOMAIN §3.3).
YIWANG_RATING_DEFAULT_AFTER_DAYS = env_int("YIWANG_RATING_DEFAULT_AFTER_DAYS", 7)
YIWANG_RATING_RECTIFY_WORKDAYS = env_int("YIWANG_RATING_RECTIFY_WORKDAYS", 5)
# Notifications: backends, retries with exponential back-off, a rate limit per recipient.
YIWANG_SMS_BACKEND = (
    env_str("YIWANG_SMS_BACKEND", "yiwang.notifications.backends.ConsoleSmsBackend")
    or "yiwang.notifications.backends.ConsoleSmsBackend"
)
YIWANG_SMS_FILE = VAR_DIR / "sms" / "sms.jsonl"
EMAIL_BACKEND = env_str("YIWANG_EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env_str("YIWANG_EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("YIWANG_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("YIWANG_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("YIWANG_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("YIWANG_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("YIWANG_EMAIL_FROM") or "yiwang@localhost"
YIWANG_NOTIFY_MAX_ATTEMPTS = env_int("YIWANG_NOTIFY_MAX_ATTEMPTS", 6)
YIWANG_NOTIFY_BACKOFF_SECONDS = env_int("YIWANG_NOTIFY_BACKOFF_SECONDS", 30)
YIWANG_NOTIFY_LEASE_SECONDS = env_int("YIWANG_NOTIFY_LEASE_SECONDS", 120)
# {channel: (messages, per seconds)}; the in-app inbox is not limited.
YIWANG_NOTIFY_RATE_LIMITS: dict[str, tuple[int, int]] = {"sms": (5, 3600), "email": (20, 3600)}
# Cases: uploads up to 20 MB; 黄牌 when 80% of a limit is used (红牌 when overdue);
# 告知承诺 post-verification due 20 working days after acceptance.
YIWANG_CASE_UPLOAD_MAX_BYTES = env_int("YIWANG_CASE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
YIWANG_CASE_YELLOW_SHARE = env_int("YIWANG_CASE_YELLOW_PERCENT", 80) / 100
YIWANG_CASE_POST_VERIFICATION_DAYS = env_int("YIWANG_CASE_POST_VERIFICATION_DAYS", 20)
# Data exchange: the instance of node identities (X-Road INSTANCE), and how the platform
# reaches its consumer node ({"url": …, "token": …}; empty: shared-data reuse is off).
YIWANG_EXCHANGE_INSTANCE = env_str("YIWANG_EXCHANGE_INSTANCE", "CN-JX") or "CN-JX"
YIWANG_EXCHANGE_CONSUMER: dict[str, str] = {}
if env_str("YIWANG_EXCHANGE_NODE_URL"):
    YIWANG_EXCHANGE_CONSUMER = {
        "url": env_str("YIWANG_EXCHANGE_NODE_URL") or "",
        "token": env_str("YIWANG_EXCHANGE_NODE_TOKEN") or "",
    }
