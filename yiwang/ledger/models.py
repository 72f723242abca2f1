"""The ledger's tables: entries (hashes only), Merkle nodes, signed checkpoints, keys, state.

Payloads never reach these tables: an entry holds the SHA-256 digest of the payload its module
keeps, plus the entry data that is hashed into the log (kind, subject, digest, time). Rows are
written by the anchoring function (pending entries) and by the sequencer (everything else),
never updated afterwards except an entry's index and checkpoint when it is sequenced.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.ledger.tlog.merkle import EMPTY_ROOT


def as_bytes(value: bytes | memoryview | bytearray) -> bytes:
    """BinaryField values come back as memoryview on PostgreSQL and bytes on SQLite."""
    return bytes(value)


class Checkpoint(models.Model):
    """签名检查点: a C2SP signed note stating the tree size and root, as first published."""

    size = models.PositiveBigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(_("根哈希"), max_length=32)
    signed_note = models.TextField(_("日志签名的检查点"))
    # The same note with the witness's cosignature added; empty when no witness is configured
    # or the witness refused (it refuses anything inconsistent with what it saw before).
    cosigned_note = models.TextField(_("见证方联署的检查点"), blank=True)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def note(self) -> str:
        """The note to publish: cosigned when a witness signed it."""
        return self.cosigned_note or self.signed_note


class LedgerEntry(models.Model):
    """存证条目: one anchored digest; `index` stays empty until the sequencer seals it."""

    kind = models.CharField(_("类型"), max_length=64)
    subject = models.CharField(_("对象"), max_length=200)
    digest = models.CharField(_("SHA-256 摘要"), max_length=64)
    created_at = models.DateTimeField(_("登记时间"))
    # The exact bytes hashed into the log (RFC 8785 JSON of kind, subject, digest, time), kept
    # so tiles can publish them and the audit can recompute every leaf.
    entry_data = models.TextField(_("条目数据"))
    leaf_hash = models.BinaryField(_("叶哈希"), max_length=32)
    index = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True)
    checkpoint = models.ForeignKey(
        Checkpoint,
        verbose_name=_("首次记入的检查点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Lets a retried caller (an outbox delivery, an API retry) anchor the same event only once.
    once_key = models.CharField(max_length=160, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("存证条目")
        verbose_name_plural = _("存证条目")
        indexes = [
            models.Index(fields=["digest", "id"], name="ledger_entry_digest"),
            models.Index(fields=["subject", "id"], name="ledger_entry_subject"),
            # The sequencer's queue: stays as small as the backlog however large the log grows.
            models.Index(fields=["id"], condition=Q(index__isnull=True), name="ledger_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(index__gte=0), name="ledger_index_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.digest[:12]}"


class MerkleNode(models.Model):
    """A complete aligned subtree's hash: (level, index) covers leaves [index·2^level, +2^level).

    Every node the sequencer completes is stored, so each proof is O(log n) key lookups and
    each tile is one range read.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("默克尔节点")
        verbose_name_plural = _("默克尔节点")

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class LogState(models.Model):
    """The one row that says how big the published log is; the sequencer's lock.

    Entries with index < size, the nodes they completed and the checkpoint of that size are
    committed in the same transaction as this row's update, so a reader never sees a half
    sealed batch.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    origin = models.CharField(_("日志名称"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("树大小"), default=0)
    root_hash = models.BinaryField(_("根哈希"), max_length=32, default=EMPTY_ROOT)
    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batches = models.PositiveBigIntegerField(_("批次数"), default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("账本状态")
        verbose_name_plural = _("账本状态")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ledger_state_singleton")]

    def __str__(self) -> str:
        return f"{self.origin} size {self.size}"


class SigningKey(models.Model):
    """The log's Ed25519 note key: public key published, private key only encrypted at rest."""

    name = models.CharField(_("密钥名称"), max_length=200, unique=True)
    vkey = models.TextField(_("验证公钥"))
    skey_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")

    def __str__(self) -> str:
        return self.vkey
