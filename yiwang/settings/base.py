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
    "yiwang.exchange",
    "yiwang.api",
    "yiwang.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiwang.core.middleware.PreferenceMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
# Data exchange: the instance of node identities (X-Road INSTANCE), and how the platform
# reaches its consumer node ({"url": …, "token": …}; empty: shared-data reuse is off).
YIWANG_EXCHANGE_INSTANCE = env_str("YIWANG_EXCHANGE_INSTANCE", "CN-JX") or "CN-JX"
YIWANG_EXCHANGE_CONSUMER: dict[str, str] = {}
if env_str("YIWANG_EXCHANGE_NODE_URL"):
    YIWANG_EXCHANGE_CONSUMER = {
        "url": env_str("YIWANG_EXCHANGE_NODE_URL") or "",
        "token": env_str("YIWANG_EXCHANGE_NODE_TOKEN") or "",
    }
