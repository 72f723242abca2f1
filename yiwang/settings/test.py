"""Tests: SQLite unless DATABASE_URL names PostgreSQL; fast hasher; tasks run immediately."""

from __future__ import annotations

import os

from yiwang.settings.dev import *  # noqa: F403
from yiwang.settings.dev import VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
YIWANG_SMS_BACKEND = "yiwang.notifications.backends.LocmemSmsBackend"
YIWANG_PAYMENT_SANDBOX_SECRET = "test-sandbox-secret"  # noqa: S105 - tests only
LOGGING = {"version": 1, "disable_existing_loggers": False}

# A file, not the in-memory default: threads in concurrency tests need real SQLite locking,
# the same as the web and worker processes have in a SQLite deployment.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# Credentials name a fixed public address, as in production; verification is not throttled in
# tests except where a test turns the bucket down itself.
YIWANG_PUBLIC_URL = "https://zw.nanchang.example"
YIWANG_VERIFY_BURST = 10_000
# The crash test starts `ledger_sequencer` in its own process with this set, then kills it.
YIWANG_LEDGER_TEST_BATCH_PAUSE = float(os.environ.get("YIWANG_LEDGER_TEST_BATCH_PAUSE") or 0)
