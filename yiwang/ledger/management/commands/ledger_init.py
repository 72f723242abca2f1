"""Create the log's signing key (once) and print the public key to publish."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.actors import SYSTEM
from yiwang.ledger.actions import ensure_log_key
from yiwang.ledger.keys import witness_vkey


class Command(BaseCommand):
    help = "Create the ledger signing key if missing and print the verifier key(s) to publish."

    def handle(self, *args: Any, **options: Any) -> None:
        row = ensure_log_key(actor=SYSTEM)
        self.stdout.write(f"log key / 账本公钥: {row.vkey}")
        witness = witness_vkey()
        if witness:
            self.stdout.write(f"witness key / 见证方公钥: {witness}")
