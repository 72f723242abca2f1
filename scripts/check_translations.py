"""Fail when the English catalogue is incomplete, fuzzy, or behind the source strings.

Extraction runs on a throw-away copy of the package, so the check never edits the tree.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from makemessages import PACKAGE, ROOT, TARGET_LANGUAGES, app_dirs, extract  # noqa: E402


def msgids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if not entry.obsolete}


def is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "yiwang"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        for app in app_dirs(copy):
            extract(app)
            for language in TARGET_LANGUAGES:
                relative = Path("locale") / language / "LC_MESSAGES" / "django.po"
                fresh = polib.pofile(str(app / relative))
                committed_path = PACKAGE / app.name / relative
                if not committed_path.exists():
                    if len(fresh):
                        problems.append(f"{committed_path.relative_to(ROOT)}: missing")
                    continue
                committed = polib.pofile(str(committed_path))
                for _ctx, msgid in sorted(msgids(fresh) - msgids(committed)):
                    problems.append(f"{committed_path.relative_to(ROOT)}: not extracted: {msgid!r}")
                for entry in committed:
                    if entry.obsolete:
                        continue
                    if "fuzzy" in entry.flags:
                        problems.append(
                            f"{committed_path.relative_to(ROOT)}: fuzzy: {entry.msgid!r}"
                        )
                    elif not is_translated(entry):
                        problems.append(
                            f"{committed_path.relative_to(ROOT)}: untranslated: {entry.msgid!r}"
                        )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s); run `make messages` and translate.")
        return 1
    print("translations complete")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
