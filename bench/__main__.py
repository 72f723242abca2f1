"""Run the benchmarks: `python -m bench` (all) or `python -m bench foundation`."""

from __future__ import annotations

import importlib
import platform
import sys

SUITES = [
    "foundation",
    "catalog",
    "cases",
    "crossarea",
    "certificates",
    "ledger",
    "around",
    "exchange",
    "bundles",
]


def main(argv: list[str]) -> int:
    chosen = argv or SUITES
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        return 2
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {python}")
    for name in chosen:
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
