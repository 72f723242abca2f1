"""A token bucket per client address in Django's cache, for the public verification endpoints.

With a shared cache (Redis, Memcached, the database cache) the bucket is shared by every web
process; with the default per-process memory cache each process keeps its own, so the limit is
per process. Read and write are not atomic: two simultaneous requests may both take the last
token. That is acceptable for throttling abuse, which is all this is for.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from yiwang.certificates import errors


def client_address(request: HttpRequest) -> str:
    if settings.YIWANG_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def take(request: HttpRequest, bucket: str = "verify") -> float:
    """Take one token; 0.0 when allowed, else the seconds until a token is free."""
    burst = float(settings.YIWANG_VERIFY_BURST)
    per_second = settings.YIWANG_VERIFY_PER_MINUTE / 60.0
    key = f"yiwang:ratelimit:{bucket}:{client_address(request)}"
    now = time.time()
    state = cache.get(key)
    tokens, then = state if isinstance(state, tuple) and len(state) == 2 else (burst, now)
    tokens = min(burst, tokens + max(0.0, now - then) * per_second)
    timeout = max(60, int(burst / per_second) + 1) if per_second > 0 else 3600
    if tokens < 1.0:
        cache.set(key, (tokens, now), timeout)
        return (1.0 - tokens) / per_second if per_second > 0 else 3600.0
    cache.set(key, (tokens - 1.0, now), timeout)
    return 0.0


def enforce(request: HttpRequest, bucket: str = "verify") -> None:
    """Raise RateLimited (429, code rate_limited, with Retry-After) when over the limit."""
    wait = take(request, bucket)
    if wait > 0:
        raise errors.RateLimited(max(1, math.ceil(wait)))
