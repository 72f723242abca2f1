"""Shared bench plumbing: a throw-away database, a real gunicorn server, wrk, the report."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Figure:
    """One measured figure, with the baseline it is compared against."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline_value: float = 0.0
    note: str = ""

    def ratio(self) -> str:
        if not self.baseline_value:
            return ""
        return f"{self.value / self.baseline_value:.3f}× of {self.baseline_name}"


def report(title: str, figures: list[Figure]) -> None:
    """Print figures as an aligned table."""
    print(f"\n== {title} ==")
    width = max(len(f.name) for f in figures)
    for figure in figures:
        value = f"{figure.value:,.1f} {figure.unit}"
        line = f"  {figure.name:<{width}}  {value:>22}"
        if figure.baseline_value:
            line += f"   {figure.ratio()}"
        if figure.note:
            line += f"   ({figure.note})"
        print(line)


def bench_env(database_url: str) -> dict[str, str]:
    """Production settings with throw-away secrets, for a server run on loopback."""
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang.settings.production",
        "YIWANG_SECRET_KEY": secrets.token_urlsafe(48),
        "YIWANG_LOOKUP_KEY": secrets.token_urlsafe(48),
        "YIWANG_FIELD_KEYS": json.dumps({"1": key}),
        "YIWANG_SECURE_COOKIES": "false",
        # The demo city's sample payments go through the sandbox cashier, which production
        # settings switch off unless asked; a bench on loopback is a demo city.
        "YIWANG_PAYMENT_SANDBOX": "true",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }


@contextlib.contextmanager
def scratch_database() -> Iterator[tuple[str, Path]]:
    """A migrated SQLite file in a temporary folder (BENCH_DATABASE_URL overrides)."""
    folder = Path(tempfile.mkdtemp(prefix="yiwang-bench-"))
    try:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
        yield url, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command with the bench environment; return its output."""
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """gunicorn serving yiwang.wsgi on a free loopback port; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "yiwang.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def ensure_wrk() -> str:
    """wrk from Debian (installed on first use)."""
    if shutil.which("wrk") is None:
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "ensure-debian-packages.sh"), "wrk"], check=True
        )
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not available")
    return path


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_success: int
    requests: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str, *, seconds: int = 5, connections: int = 8, script: str | None = None
) -> WrkResult:
    """Run wrk against `url` (2 threads) and parse its summary."""
    args = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script or "")
        script_path = handle.name
    try:
        if script:
            args[1:1] = ["-s", script_path]
        output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script_path)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"99%\s+(\S+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return WrkResult(rps, p50, p99, int(bad.group(1)) if bad else 0, total)


def rate(call: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second of a no-argument callable, measured for about `seconds`."""
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(100):
            call()
        count += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def setup_django_in_process(url: str, media: str, *, flush: bool = False) -> None:
    """Set Django up in this process against the scratch database `url` (production
    settings, test client host allowed, uploads under `media`) and migrate it."""
    env = bench_env(url)
    env["YIWANG_ALLOWED_HOSTS"] = "testserver"
    env["YIWANG_MEDIA_ROOT"] = media
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    if flush:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)
