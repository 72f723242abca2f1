"""The vc package stands alone: no Django, and every context it names is shipped and parses."""

import json
import subprocess
import sys
from pathlib import Path

import yiwang.certificates.vc as vc
from yiwang.certificates.vc.loader import SHIPPED_CONTEXTS, shipped_context

CONTEXTS_DIR = Path(vc.__file__).parent / "contexts"


def test_importing_vc_does_not_import_django():
    code = (
        "import sys, yiwang.certificates.vc\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(vc.__file__).parents[3])


def test_every_shipped_context_exists_and_is_a_context_document():
    for url, filename in SHIPPED_CONTEXTS.items():
        path = CONTEXTS_DIR / filename
        assert path.is_file(), url
        document = json.loads(path.read_text("utf-8"))
        assert isinstance(document["@context"], dict), url
        assert shipped_context(url) == document


def test_no_context_file_is_left_unregistered():
    assert {p.name for p in CONTEXTS_DIR.glob("*.jsonld")} == set(SHIPPED_CONTEXTS.values())


def test_shipped_context_returns_a_copy():
    first = shipped_context("https://www.w3.org/ns/credentials/v2")
    first["@context"]["id"] = "changed"
    assert shipped_context("https://www.w3.org/ns/credentials/v2")["@context"]["id"] == "@id"
