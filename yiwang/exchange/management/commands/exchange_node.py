"""Run an exchange node with this project's settings, or make a node key.

    python manage.py exchange_node keygen var/exchange/node.pem
    python manage.py exchange_node run --config node.toml

`python -m yiwang.exchange.node --config node.toml` does the same in a process of its own,
taking the database and settings from the configuration file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run an exchange node (security server) or generate its Ed25519 key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "keygen"])
        parser.add_argument("path", nargs="?", help="keygen: where to write the private key")
        parser.add_argument("--config", help="run: the node configuration file")

    def handle(self, *args: Any, **options: Any) -> None:
        from yiwang.exchange import node

        if options["action"] == "keygen":
            if not options["path"]:
                raise CommandError("keygen needs the path of the key file to write")
            try:
                self.stdout.write(node.keygen(Path(options["path"])))
            except FileExistsError:
                raise CommandError(f"{options['path']} exists; not overwriting a key") from None
            return
        if not options["config"]:
            raise CommandError("run needs --config")
        config = node.NodeConfig.load(options["config"])
        # Django is already set up by manage.py, with this project's settings and database.
        runtime = node.build_runtime(config)
        node.serve_runtime(runtime, config)
