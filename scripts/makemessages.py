"""Extract translatable strings of every Yiwang app into its own locale/en catalogue.

Source strings are Simplified Chinese (docs/adr/0002); English is the catalogue to keep
complete. Run `make messages`, then translate the new empty entries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "yiwang"
TARGET_LANGUAGES = ["en"]


def app_dirs(package: Path = PACKAGE) -> list[Path]:
    """Every Django app of the project (a folder with apps.py)."""
    return sorted(path.parent for path in package.glob("*/apps.py"))


def extract(app: Path, python: str = sys.executable) -> None:
    """Run Django's makemessages inside one app folder."""
    (app / "locale").mkdir(exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.settings.test", "PYTHONPATH": str(ROOT)}
    args = [python, "-P", "-m", "django", "makemessages", "--no-location", "--no-obsolete"]
    for language in TARGET_LANGUAGES:
        args += ["-l", language]
    subprocess.run([*args, "-v", "0"], cwd=app, env=env, check=True)


def main() -> int:
    for app in app_dirs():
        extract(app)
        print(f"extracted {app.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
