"""Issue 2: log-ins/s and an authenticated JSON GET/s through gunicorn (2 workers), each
against the same server's empty endpoint; add_workdays calls/s against the raw calendar
lookup it is built on."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import secrets
import urllib.parse
import urllib.request

from bench.common import Figure, bench_env, gunicorn, manage, rate, report, scratch_database, wrk

CITIZEN = "13800000001"
PASSWORD = "Yiwang@2026"


def _login_script(csrf: str) -> str:
    body = urllib.parse.urlencode({"identifier": CITIZEN, "password": PASSWORD})
    return (
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "csrftoken={csrf}"\n'
        f'wrk.headers["X-CSRFToken"] = "{csrf}"\n'
    )


def _session_cookie(base: str) -> str:
    """Log in once like a browser and return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    csrf = secrets.token_hex(16)
    request = urllib.request.Request(
        f"{base}/accounts/login/",
        data=urllib.parse.urlencode({"identifier": CITIZEN, "password": PASSWORD}).encode(),
        headers={"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf},
    )
    opener.open(request)
    for cookie in jar:
        if cookie.name == "sessionid":
            return f"sessionid={cookie.value}"
    raise RuntimeError("log-in failed: no session cookie")


def calendar_figures() -> list[Figure]:
    import chinese_calendar

    from yiwang.core.workdays import add_workdays

    starts = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    state = {"i": 0}

    def one_add() -> None:
        state["i"] = (state["i"] + 1) % 365
        add_workdays(starts[state["i"]], 20)

    def one_lookup() -> None:
        state["i"] = (state["i"] + 1) % 365
        chinese_calendar.is_workday(starts[state["i"]])

    lookups = rate(one_lookup)
    adds = rate(one_add)
    return [
        Figure("chinese_calendar.is_workday (raw)", lookups, "calls/s"),
        Figure(
            "add_workdays(start, 20)",
            adds,
            "calls/s",
            "raw is_workday",
            lookups,
            "one call walks ~28 days",
        ),
    ]


def run() -> None:
    with scratch_database() as (url, _folder):
        env = bench_env(url)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo_city")
        with gunicorn(env, workers=2) as base:
            empty = wrk(f"{base}/api/v1/ping", seconds=5)
            login = wrk(
                f"{base}/accounts/login/",
                seconds=5,
                connections=4,
                script=_login_script(secrets.token_hex(16)),
            )
            cookie = _session_cookie(base)
            me = wrk(
                f"{base}/api/v1/identity/me",
                seconds=5,
                script=f'wrk.headers["Cookie"] = "{cookie}"\n',
            )
        for name, result in (("log-in", login), ("GET /identity/me", me)):
            if result.non_success:
                raise RuntimeError(f"{name}: {result.non_success} failed requests in the bench")
        figures = [
            Figure(
                "empty endpoint /api/v1/ping",
                empty.requests_per_second,
                "req/s",
                note=f"p99 {empty.p99_ms:.1f} ms",
            ),
            Figure(
                "log-in (argon2, session)",
                login.requests_per_second,
                "req/s",
                "empty endpoint",
                empty.requests_per_second,
                f"p99 {login.p99_ms:.1f} ms",
            ),
            Figure(
                "GET /api/v1/identity/me",
                me.requests_per_second,
                "req/s",
                "empty endpoint",
                empty.requests_per_second,
                f"p99 {me.p99_ms:.1f} ms",
            ),
        ]
        report(f"foundation: gunicorn 2 workers, {url.split(':', 1)[0]}", figures)
        os.environ.update(env)
        import django

        django.setup()
        manage(env, "check")
        report("foundation: working-day calendar (in process)", calendar_figures())
