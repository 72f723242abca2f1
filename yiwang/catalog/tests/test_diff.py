"""History and the field-by-field difference between two versions."""

from __future__ import annotations

import pytest

from yiwang.catalog import actions, queries
from yiwang.catalog.diff import diff_versions
from yiwang.core.actors import SYSTEM


@pytest.mark.django_db
def test_diff_names_each_changed_field_and_row(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    assert diff_versions(published_task, draft).is_empty
    draft = actions.update_draft(
        actor=SYSTEM,
        version=draft,
        fields={"promise_day": 5, "handle_area": "4", "is_schedule": True},
        children={
            "materials": [
                {"material_name": "食品经营许可申请书", "source_type": "1", "page_num": 2},
                {
                    "material_name": "营业执照",
                    "source_type": "4",
                    "source_certificate_type_code": "11100000000013127D001",
                },
                {"material_name": "健康证明", "source_type": "5"},
            ],  # fmt: skip
            "steps": [
                {"name": "受理", "role": "window_clerk", "limit_days": 1},
                {"name": "决定", "role": "approver", "limit_days": 2},
            ],
        },
    )
    diff = diff_versions(published_task, draft)
    fields = {c.name: (c.before, c.after) for c in diff.fields}
    assert fields == {
        "promise_day": ("10", "5"),
        "handle_area": ("全市通办", "跨省通办"),
        "is_schedule": ("否", "是"),
    }
    materials = {(r.key, r.kind) for r in diff.children["materials"]}
    assert materials == {("健康证明", "added"), ("食品经营许可申请书", "changed")}
    changed = next(r for r in diff.children["materials"] if r.kind == "changed")
    assert [(f.name, f.before, f.after) for f in changed.fields] == [("page_num", "1", "2")]
    steps = {(r.key, r.kind) for r in diff.children["steps"]}
    assert steps == {("审查", "removed"), ("决定", "changed")}


@pytest.mark.django_db
def test_history_lists_every_version_newest_first(published_task) -> None:
    draft = actions.new_draft_version(actor=SYSTEM, task=published_task.task)
    assert [v.version for v in queries.history(published_task.task)] == [2, 1]
    assert [v.status for v in queries.history(draft.task)] == ["draft", "published"]
