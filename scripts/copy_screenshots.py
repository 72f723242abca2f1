"""Copy the browser tests' screenshots (var/screenshots/, test artefacts) to docs/screenshots/.

The README shows the golden path with the committed copies: the whole Chinese path, and a few
steps of the English, elder-friendly and phone runs. Each copy is reduced to a 256-colour PNG
(Pillow, which reportlab already brings) to keep the repository small; without Pillow the file
is copied as it is.

    make screenshots      # runs the browser tests, then this script
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "var" / "screenshots"
TARGET = ROOT / "docs" / "screenshots"
# Steps shown for the other variants (the same numbering as the Chinese path).
SELECTED = {
    "en": ("03-search", "05-apply-form", "15-approved", "23-verified"),
    "elder": ("05-apply-form", "22-wallet-certificate"),
    "phone": ("06-case-submitted", "17-sandbox-cashier", "23-verified"),
}


def _save(source: Path, target: Path) -> None:
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(source, target)
        return
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)


def main() -> int:
    if not (SOURCE / "zh").is_dir():
        print(f"no screenshots in {SOURCE.relative_to(ROOT)}/zh: run the browser tests first")
        return 1
    shutil.rmtree(TARGET, ignore_errors=True)
    plan = {"zh": sorted(p.stem for p in (SOURCE / "zh").glob("*.png")), **SELECTED}
    count = 0
    for variant, steps in plan.items():
        (TARGET / variant).mkdir(parents=True, exist_ok=True)
        for step in steps:
            source = SOURCE / variant / f"{step}.png"
            if not source.exists():
                print(f"missing {source.relative_to(ROOT)}")
                return 1
            _save(source, TARGET / variant / source.name)
            count += 1
    print(f"{count} screenshots in {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
