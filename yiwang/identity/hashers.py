"""Password hashing parameters.

Django's Argon2 defaults (100 MiB, 8 lanes) cost ~230 ms of CPU per log-in on this class of
machine, which caps a 2-core server near 5 log-ins/s. OWASP's Password Storage Cheat Sheet
recommends Argon2id with at least 19 MiB, 2 iterations, 1 lane; we use exactly that floor.
The parameters are stored in each hash, so older hashes still verify and are upgraded to
these parameters at the next successful log-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP minimum)."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
