"""Quality rules and runs (GB/T 36344), and open datasets (开放数据)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.exchange import clock, errors, quality
from yiwang.exchange.actions._common import clean_text, user_or_none
from yiwang.exchange.choices import (
    DatasetStatus,
    DownloadFormat,
    IssueStatus,
    Licence,
    OpenType,
    QualityDimension,
    Sensitivity,
)
from yiwang.exchange.models import (
    DataRecord,
    DatasetDownload,
    OpenDataset,
    QualityIssue,
    QualityRule,
    QualityRun,
    Resource,
    ResourceVersion,
)
from yiwang.exchange.permissions import acts_for_department, may_manage_resource

_HUNDRED = Decimal(100)


def _version_for_rules(resource: Resource) -> ResourceVersion:
    resource = Resource.objects.select_related("current_version").get(pk=resource.pk)
    version = resource.current_version or resource.versions.order_by("-version").first()
    if version is None:
        raise NotFound()
    return version


@transaction.atomic
def add_quality_rule(
    *,
    actor: Any,
    resource: Resource,
    item_code: str,
    dimension: str,
    params: Mapping[str, Any] | None = None,
    description: str = "",
) -> QualityRule:
    """Add a check of one data item (provider's officer or the data administrator)."""
    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    if dimension not in QualityDimension.values:
        raise DomainError("choice_invalid", _("选项不正确。"), field="dimension")
    codes = set(_version_for_rules(resource).items.values_list("code", flat=True))
    if item_code not in codes:
        raise DomainError("item_unknown", _("该资源没有这个信息项。"), field="item_code")
    checked = quality.check_params(dimension, params or {}, codes)
    rule = QualityRule.objects.create(
        resource=resource,
        item_code=item_code,
        dimension=dimension,
        params=checked,
        description=clean_text(description, "description", max_length=200, required=False),
    )
    audit.record(
        "exchange.quality_rule_added",
        actor=actor,
        subject=rule,
        after={
            "resource": resource.code,
            "item": item_code,
            "dimension": dimension,
            "params": checked,
        },  # fmt: skip
    )
    return rule


@transaction.atomic
def run_quality_check(*, actor: Any, resource: Resource) -> QualityRun:
    """Check every row against the resource's active rules; report failing rows back.

    An issue already open for the same rule and row is kept (not duplicated); open issues
    whose row now passes are closed as re-checked.
    """
    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    version = _version_for_rules(resource)
    items = {item.code: item for item in version.items.all()}
    rules = list(resource.quality_rules.filter(is_active=True))
    now = clock.now()
    run = QualityRun.objects.create(resource=resource, provider_department=resource.provider)
    open_issues = {
        (issue.rule_id, issue.record_id): issue
        for issue in QualityIssue.objects.select_for_update(of=("self",)).filter(
            rule__resource=resource, status=IssueStatus.OPEN
        )
    }
    still_failing: set[tuple[int, int]] = set()
    new_issues: list[QualityIssue] = []
    rows_failed = checks = failed = 0
    for record in DataRecord.objects.filter(resource=resource).iterator(chunk_size=1000):
        row_failed = False
        for rule in rules:
            item = items.get(rule.item_code)
            checks += 1
            problem = quality.evaluate(
                rule.dimension,
                rule.params,
                rule.item_code,
                record.data,
                updated_at=record.source_updated_at,
                now=now,
                data_type=item.data_type if item else "C",
                length=item.length if item else None,
            )
            if problem is None:
                continue
            failed += 1
            row_failed = True
            key = (rule.pk, record.pk)
            still_failing.add(key)
            if key not in open_issues:
                new_issues.append(
                    QualityIssue(
                        run=run,
                        rule=rule,
                        record=record,
                        provider_department=resource.provider,
                        item_code=rule.item_code,
                        dimension=rule.dimension,
                        message=problem[:300],
                    )
                )
        rows_failed += row_failed
        run.rows_checked += 1
    QualityIssue.objects.bulk_create(new_issues, batch_size=500)
    fixed = [
        pk for key, issue in open_issues.items() if key not in still_failing for pk in [issue.pk]
    ]
    QualityIssue.objects.filter(pk__in=fixed).update(
        status=IssueStatus.RESOLVED, resolved_at=now, resolution=str(_("复检通过"))
    )
    run.rows_failed = rows_failed
    run.checks_run = checks
    run.checks_failed = failed
    run.score = (
        ((_HUNDRED * (checks - failed)) / checks).quantize(Decimal("0.01")) if checks else _HUNDRED
    )
    run.save()
    audit.record(
        "exchange.quality_checked",
        actor=actor,
        subject=run,
        after={
            "resource": resource.code,
            "rows": run.rows_checked,
            "failed_rows": rows_failed,
            "score": str(run.score),
            "new_issues": len(new_issues),
            "fixed": len(fixed),
        },  # fmt: skip
    )
    return run


@transaction.atomic
def resolve_quality_issue(*, actor: Any, issue: QualityIssue, resolution: str) -> QualityIssue:
    """The provider reports a failing row fixed (the next run confirms it)."""
    locked = (
        QualityIssue.objects.select_for_update(of=("self",))
        .select_related("provider_department__region")
        .filter(pk=issue.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    if not acts_for_department(actor, locked.provider_department):
        raise PermissionDenied()
    if locked.status != IssueStatus.OPEN:
        raise errors.wrong_status(locked.get_status_display(), str(_("整改")))
    locked.status = IssueStatus.RESOLVED
    locked.resolution = clean_text(resolution, "resolution", max_length=300)
    locked.resolved_by = user_or_none(actor)
    locked.resolved_at = clock.now()
    locked.save()
    audit.record(
        "exchange.quality_issue_resolved",
        actor=actor,
        subject=locked,
        before={"status": IssueStatus.OPEN},
        after={"status": locked.status, "resolution": locked.resolution},
    )
    return locked


@transaction.atomic
def publish_dataset(
    *,
    actor: Any,
    resource: Resource,
    title: str,
    description: str,
    licence: str,
    keywords: list[str] | None = None,
    slug: str = "",
) -> OpenDataset:
    """Open a resource's public items as a dataset, under a licence.

    Only resources published as 无条件开放 qualify, and only items marked 公开 are opened:
    a dataset never carries an item of a higher sensitivity.
    """
    resource = Resource.objects.select_related("provider", "current_version").get(pk=resource.pk)
    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    version = resource.current_version
    if version is None:
        raise DomainError("resource_not_published", _("该资源尚未发布。"), status=409)
    if version.open_type != OpenType.UNCONDITIONAL:
        raise DomainError(
            "resource_not_open",
            _("只有开放类型为「无条件开放」的资源可以直接开放下载。"),
            status=409,
        )
    columns = list(
        version.items.filter(sensitivity=Sensitivity.PUBLIC).values_list("code", flat=True)
    )
    if not columns:
        raise DomainError("no_public_items", _("该资源没有敏感级为「公开」的信息项。"), status=409)
    if licence not in Licence.values:
        raise DomainError("choice_invalid", _("选项不正确。"), field="licence")
    slug = slugify(slug or resource.code)[:80]
    if not slug:
        raise DomainError("slug_invalid", _("标识只能包含字母、数字和连字符。"), field="slug")
    words = [
        clean_text(word, "keywords", max_length=40) for word in (keywords or []) if word.strip()
    ]
    try:
        with transaction.atomic():
            dataset = OpenDataset.objects.create(
                slug=slug,
                resource=resource,
                publisher=resource.provider,
                title=clean_text(title, "title", max_length=200),
                description=clean_text(description, "description", max_length=4000),
                keywords=words,
                licence=licence,
                columns=columns,
            )
    except IntegrityError:
        raise Conflict("slug_taken", _("标识 %(slug)s 已被使用。"), params={"slug": slug}) from None
    audit.record(
        "exchange.dataset_published",
        actor=actor,
        subject=dataset,
        after={"slug": slug, "resource": resource.code, "licence": licence, "columns": columns},
    )
    return dataset


@transaction.atomic
def withdraw_dataset(*, actor: Any, dataset: OpenDataset, reason: str) -> OpenDataset:
    """Stop offering a dataset (with a reason); its page says it was withdrawn."""
    locked = (
        OpenDataset.objects.select_for_update(of=("self",))
        .select_related("resource__provider")
        .get(pk=dataset.pk)
    )
    if not may_manage_resource(actor, locked.resource.provider):
        raise PermissionDenied()
    if locked.status != DatasetStatus.PUBLISHED:
        raise errors.wrong_status(locked.get_status_display(), str(_("撤回")))
    if not reason.strip():
        raise errors.reason_required("reason")
    locked.status = DatasetStatus.WITHDRAWN
    locked.save(update_fields=["status", "modified_at"])
    audit.record(
        "exchange.dataset_withdrawn",
        actor=actor,
        subject=locked,
        before={"status": DatasetStatus.PUBLISHED},
        after={"status": locked.status, "reason": reason.strip()},
    )
    return locked


def count_download(*, dataset: OpenDataset, fmt: str) -> None:
    """Count one download (a counter, not a decision: no audit entry per download)."""
    if fmt not in DownloadFormat.values:
        raise ValueError(fmt)
    today = clock.today()
    with transaction.atomic():
        OpenDataset.objects.filter(pk=dataset.pk).update(download_count=F("download_count") + 1)
        bumped = DatasetDownload.objects.filter(dataset=dataset, format=fmt, day=today).update(
            count=F("count") + 1
        )
        if not bumped:
            try:
                with transaction.atomic():
                    DatasetDownload.objects.create(dataset=dataset, format=fmt, day=today, count=1)
            except IntegrityError:
                DatasetDownload.objects.filter(dataset=dataset, format=fmt, day=today).update(
                    count=F("count") + 1
                )
