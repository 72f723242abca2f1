"""Recompute the whole ledger from its stored entries and compare with the signed checkpoints.

Exit status 0 when everything matches, 1 (with the reasons) when anything differs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.ledger.integrity import audit_log
from yiwang.ledger.tlog.encoding import b64encode


class Command(BaseCommand):
    help = "Audit the ledger: recompute every leaf, node and checkpoint root from the entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-nodes", action="store_true", help="do not compare stored Merkle nodes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_log(check_nodes=not options["skip_nodes"])
        if not report.ok:
            reasons = "\n".join(f"  - {problem}" for problem in report.problems)
            raise CommandError(
                f"账本审计未通过 / ledger audit FAILED ({len(report.problems)} problem(s)):\n"
                f"{reasons}"
            )
        root = b64encode(report.root_hash)
        self.stdout.write(
            f"OK 账本审计通过：{report.entries} 个条目、{report.nodes} 个节点、"
            f"{report.checkpoints} 个检查点均与重算结果一致；"
            f"树大小 {report.size}，根哈希 {root}。\n"
            f"OK ledger audit passed: {report.entries} entries, {report.nodes} nodes and "
            f"{report.checkpoints} checkpoints match the recomputation; size {report.size}, "
            f"root {root}."
        )
