"""Checking uploaded materials by their content (not their name) and storing them."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from yiwang.cases import errors

# Magic numbers of the accepted formats; OFD (GB/T 33190) is a ZIP package with OFD.xml.
_SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose type, size and digest are known; nothing stored yet."""

    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class StoredFile(CheckedFile):
    """A checked upload already saved once; every case it is attached to points at it."""

    stored_path: str = ""


def _is_ofd(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            # Only the directory is read: nothing is decompressed, so no zip bomb can bite.
            return "OFD.xml" in package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None for anything else."""
    for magic, content_type, extension in _SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    if content.startswith(_ZIP) and _is_ofd(content):
        return "application/ofd", ".ofd"
    return None


def clean_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return "".join(ch for ch in base if ch.isprintable())[:150]


def check_upload(name: str, stream: IO[bytes] | bytes) -> CheckedFile:
    """Read at most the size limit plus one byte; refuse empty, oversized or unknown files."""
    limit = int(settings.YIWANG_CASE_UPLOAD_MAX_BYTES)
    shown = clean_name(name)
    content = stream if isinstance(stream, bytes) else stream.read(limit + 1)
    if len(content) > limit:
        raise errors.upload_too_large(shown, limit // (1024 * 1024))
    if not content:
        raise errors.upload_empty(shown)
    kind = sniff(content)
    if kind is None:
        raise errors.upload_invalid(shown)
    return CheckedFile(shown, content, kind[0], kind[1], hashlib.sha256(content).hexdigest())


def store(prefix: str, checked: CheckedFile) -> str:
    """Save under a random name in Django's storage (var/media by default); return the path."""
    path = f"{prefix}/{uuid.uuid4().hex}{checked.extension}"
    return default_storage.save(path, ContentFile(checked.content))
