"""Issue 6: public certificate verification.

- Through gunicorn (2 workers): GET /api/v1/certificates/verify/<identifier> requests/s and
  p95, against the same server's empty endpoint.
- In process: verify_certificate() per second (decrypt, JCS, Ed25519, the signed status lists,
  validity, the record) and the bare Data Integrity check, against raw Ed25519 verifications
  per second on this machine, measured in the same run.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

from bench.common import (
    Figure,
    bench_env,
    ensure_wrk,
    gunicorn,
    manage,
    rate,
    report,
    scratch_database,
)

P95_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("COMPLETED %d ERRORS %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def _wrk_p95(url: str, seconds: int = 5, connections: int = 8) -> tuple[float, float, int]:
    """(requests/s, p95 ms, failed requests) from wrk with a done() hook for the 95th centile."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(P95_SCRIPT)
        script = handle.name
    try:
        output = subprocess.run(
            [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p95 = int(re.search(r"P95_US (\d+)", output).group(1)) / 1000
    errors = int(re.search(r"ERRORS (\d+)", output).group(1))
    return rps, p95, errors


def _identifier(env: dict[str, str]) -> str:
    code = (
        "from yiwang.certificates.models import Certificate;"
        "print(Certificate.objects.filter(status='valid').order_by('id').first().identifier)"
    )
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def in_process_figures(identifier: str) -> list[Figure]:
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from yiwang.certificates.actions import credential_of
    from yiwang.certificates.keys import RESOLVER
    from yiwang.certificates.models import Certificate
    from yiwang.certificates.vc.dataintegrity import verify
    from yiwang.certificates.verification import verify_certificate

    key = Ed25519PrivateKey.generate()
    message = os.urandom(64)  # eddsa-jcs-2022 signs 64 bytes: two SHA-256 digests
    signature = key.sign(message)
    public = key.public_key()
    raw = rate(lambda: public.verify(signature, message))

    certificate = Certificate.objects.get(identifier=identifier)
    document = json.loads(credential_of(certificate))
    assert verify(document, RESOLVER).verified
    assert verify_certificate(certificate).verified
    proof_only = rate(lambda: verify(document, RESOLVER))
    full = rate(lambda: verify_certificate(certificate))
    return [
        Figure("raw Ed25519 verify (64 bytes)", raw, "verifications/s"),
        Figure(
            "Data Integrity verify (JCS + Ed25519)",
            proof_only,
            "verifications/s",
            "raw Ed25519",
            raw,
        ),
        Figure(
            "verify_certificate (full check)",
            full,
            "verifications/s",
            "raw Ed25519",
            raw,
            "decrypt, proof, 2 status lists, validity, record",
        ),
    ]


def run() -> None:
    with scratch_database() as (url, _folder):
        env = bench_env(url)
        env["YIWANG_VERIFY_BURST"] = str(10**9)  # measure the server, not the throttle
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo_city")
        identifier = _identifier(env)
        with gunicorn(env, workers=2) as base:
            empty_rps, empty_p95, _errors = _wrk_p95(f"{base}/api/v1/ping")
            rps, p95, errors = _wrk_p95(f"{base}/api/v1/certificates/verify/{identifier}")
        if errors:
            raise RuntimeError(f"verification: {errors} failed requests in the bench")
        report(
            f"certificates: public verification, gunicorn 2 workers, {url.split(':', 1)[0]}",
            [
                Figure(
                    "empty endpoint /api/v1/ping",
                    empty_rps,
                    "req/s",
                    note=f"p95 {empty_p95:.1f} ms",
                ),
                Figure(
                    "GET /api/v1/certificates/verify/<id>",
                    rps,
                    "req/s",
                    "empty endpoint",
                    empty_rps,
                    f"p95 {p95:.1f} ms",
                ),
            ],
        )
        os.environ.update(env)
        import django

        django.setup()
        report("certificates: verification in process", in_process_figures(identifier))
