"""Offline verifier for Yiwang ledger receipts and published logs (no Django needed).

    python -m yiwang.ledger.verify receipt RECEIPT_FILE --key VKEY [--entry FILE]
    python -m yiwang.ledger.verify log --url-or-dir TILES_ROOT --key VKEY \\
        [--from-checkpoint OLD_CHECKPOINT_FILE] [--entries]
    (both take [--witness-key VKEY ... --witness-quorum N] to require witness cosignatures)

VKEY is a signed-note verifier key string (``name+keyid+base64``) or a file holding one.
Exit status: 0 verified, 1 verification failed (reason printed), 2 usage error.

Only the standard library and `cryptography` may be imported here: anyone holding a receipt
must be able to check it without installing or trusting the platform.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import io
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from yiwang.ledger.tlog.checkpoint import CheckpointError, VerifiedCheckpoint, open_checkpoint
from yiwang.ledger.tlog.encoding import b64encode
from yiwang.ledger.tlog.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    verify_consistency,
)
from yiwang.ledger.tlog.note import (
    CosignatureV1Verifier,
    Ed25519Verifier,
    NoteError,
    verifier_from_vkey,
)
from yiwang.ledger.tlog.proof import ReceiptError, verify_receipt
from yiwang.ledger.tlog.tiles import TileError, TileHashReader, verify_tiles

# Tiles are at most 8 KiB and bundles at most 256 * 64 KiB; anything bigger is not a tile.
MAX_RESOURCE_BYTES = 256 * (2 + 0xFFFF) + 1024
HTTP_TIMEOUT_SECONDS = 30

Fetch = Callable[[str], bytes]
AnyVerifier = Ed25519Verifier | CosignatureV1Verifier


class VerificationFailed(Exception):
    """Verification did not succeed; the message says why."""


def _key_argument(value: str) -> AnyVerifier:
    """argparse type: a vkey string, or a file containing one."""
    text = value
    path = Path(value)
    if "+" not in value or path.is_file():
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise argparse.ArgumentTypeError(f"cannot read key file {value}: {exc}") from exc
    try:
        return verifier_from_vkey(text)
    except NoteError as exc:
        raise argparse.ArgumentTypeError(f"invalid verifier key: {exc}") from exc


def directory_fetcher(root: Path) -> Fetch:
    """Fetch tile-API paths from a directory laid out like the web server."""

    def fetch(path: str) -> bytes:
        return (root / path).read_bytes()

    return fetch


def http_fetcher(prefix: str) -> Fetch:
    """Fetch tile-API paths under an http(s) URL prefix with urllib."""
    base = prefix if prefix.endswith("/") else prefix + "/"
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise VerificationFailed(f"unsupported URL scheme in {prefix}")

    def fetch(path: str) -> bytes:
        # The scheme was checked above (http/https only), hence the S310 exemptions.
        request = urllib.request.Request(  # noqa: S310
            base + path,
            headers={"User-Agent": "yiwang-ledger-verify/1", "Accept-Encoding": "gzip, identity"},
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                body: bytes = response.read(MAX_RESOURCE_BYTES + 1)
                encoding = response.headers.get("Content-Encoding", "identity")
        except (urllib.error.URLError, http.client.HTTPException, ValueError) as exc:
            raise OSError(f"{base + path}: {exc}") from exc
        if len(body) > MAX_RESOURCE_BYTES:
            raise OSError(f"{path} is larger than any tile or entry bundle")
        if encoding == "gzip":
            # tlog-tiles lets logs gzip entry bundles without negotiation.
            body = gzip.decompress(body)
        return body

    return fetch


def _fetcher(location: str) -> Fetch:
    if location.startswith(("http://", "https://")):
        return http_fetcher(location)
    root = Path(location)
    if not root.is_dir():
        raise VerificationFailed(f"{location} is neither an http(s) URL nor a directory")
    return directory_fetcher(root)


def _open(
    signed: bytes,
    key: AnyVerifier,
    what: str,
    witnesses: Sequence[AnyVerifier] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    try:
        return open_checkpoint(signed, key, witnesses=witnesses, quorum=quorum)
    except CheckpointError as exc:
        raise VerificationFailed(f"{what}: {exc}") from exc


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise VerificationFailed(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def check_receipt(args: argparse.Namespace) -> list[str]:
    """Verify one receipt file; returns the success lines."""
    data = _read(args.receipt, "receipt")
    entry = _read(args.entry, "entry file") if args.entry else None
    try:
        result = verify_receipt(
            data,
            args.key,
            entry=entry,
            witnesses=args.witness_key,
            quorum=args.witness_quorum,
        )
    except ReceiptError as exc:
        raise VerificationFailed(str(exc)) from exc
    head = result.checkpoint.checkpoint
    root = b64encode(head.root_hash)
    lines = [
        f"OK 回执有效：第 {result.index} 号条目已记入账本 {head.origin}，"
        f"检查点树大小 {head.size}，根哈希 {root}，签名已核验。",
        f"OK receipt valid: entry {result.index} is in ledger {head.origin}, "
        f"checkpoint size {head.size}, root {root}, signature verified.",
    ]
    if result.entry_checked:
        lines.append("   条目内容与回执一致。 The entry's content matches the receipt.")
    else:
        lines.append(
            "   未提供条目文件：只核验了叶哈希。"
            " No entry file given: only the leaf hash was verified."
        )
    if result.checkpoint.witness_signatures:
        names = ", ".join(s.name for s in result.checkpoint.witness_signatures)
        lines.append(f"   见证方 / witnesses: {names}")
    return lines


def check_log(args: argparse.Namespace) -> list[str]:
    """Verify a published log (checkpoint + tiles), and consistency with an older checkpoint."""
    fetch = _fetcher(args.url_or_dir)
    try:
        signed = fetch("checkpoint")
    except OSError as exc:
        raise VerificationFailed(f"cannot fetch the checkpoint: {exc}") from exc
    current = _open(signed, args.key, "checkpoint", args.witness_key, args.witness_quorum)
    try:
        checked = verify_tiles(fetch, current.size, current.root_hash, check_entries=args.entries)
    except (TileError, LookupError) as exc:
        raise VerificationFailed(f"tiles: {exc}") from exc
    root = b64encode(current.root_hash)
    lines = [
        f"OK 账本有效：{current.checkpoint.origin} 树大小 {current.size}，"
        f"由 {checked} 个瓦片文件重算的根哈希 {root} 与签名检查点一致。",
        f"OK log valid: {current.checkpoint.origin} size {current.size}; the root recomputed "
        f"from {checked} tile files equals the signed checkpoint's root {root}.",
    ]
    if current.witness_signatures:
        names = ", ".join(s.name for s in current.witness_signatures)
        lines.append(f"   见证方 / witnesses: {names}")
    if args.from_checkpoint:
        old = _open(_read(args.from_checkpoint, "old checkpoint"), args.key, "old checkpoint")
        try:
            if old.size > current.size:
                raise ProofError(f"old size {old.size} is larger than current {current.size}")
            if old.size == 0:
                if old.root_hash != EMPTY_ROOT:
                    raise ProofError("an empty tree must have the empty root")
            else:
                reader = TileHashReader(fetch, current.size)
                proof = consistency_proof(reader, old.size, current.size)
                verify_consistency(old.size, current.size, proof, old.root_hash, current.root_hash)
        except (ProofError, TileError, LookupError) as exc:
            raise VerificationFailed(f"consistency with the old checkpoint: {exc}") from exc
        lines += [
            f"OK 一致性已核验：旧检查点（树大小 {old.size}）是当前账本的前缀，历史未被篡改。",
            f"OK consistent: the old checkpoint (size {old.size}) is a prefix of the current log.",
        ]
    return lines


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m yiwang.ledger.verify",
        description="核验一网账本回执与已发布账本 / Verify Yiwang ledger receipts and logs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    receipt = commands.add_parser("receipt", help="verify a c2sp.org/tlog-proof@v1 receipt")
    receipt.add_argument("receipt", metavar="RECEIPT_FILE")
    receipt.add_argument("--entry", metavar="FILE", help="the entry the receipt is for")
    log = commands.add_parser("log", help="verify a tlog-tiles log against its checkpoint")
    log.add_argument("--url-or-dir", required=True, metavar="TILES_ROOT")
    log.add_argument("--from-checkpoint", metavar="OLD_CHECKPOINT_FILE")
    log.add_argument("--entries", action="store_true", help="also check the entry bundles")
    for sub in (receipt, log):
        sub.add_argument("--key", required=True, type=_key_argument, metavar="VKEY")
        sub.add_argument(
            "--witness-key", action="append", default=[], type=_key_argument, metavar="VKEY"
        )
        sub.add_argument("--witness-quorum", type=int, default=0, metavar="N")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the verifier; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        # A verifier must not crash on a console that cannot show Chinese.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.witness_quorum <= len(args.witness_key):
        parser.error("--witness-quorum must be between 0 and the number of --witness-key")
    try:
        lines = check_receipt(args) if args.command == "receipt" else check_log(args)
    except VerificationFailed as exc:
        print(f"FAIL 验证失败：{exc}\nFAIL verification failed: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
