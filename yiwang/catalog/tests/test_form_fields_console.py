"""Application-form fields edited on the console's version page reach the applicant."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import client_for
from yiwang.catalog import actions
from yiwang.catalog.tests.test_pages import edit_payload, html_of

pytestmark = pytest.mark.django_db


def test_form_fields_edited_on_the_version_page_show_on_the_apply_page(
    personas: Any, published_task: Any
) -> None:
    admin = client_for(personas.catalog_admin)
    task = published_task.task
    admin.post(f"/catalog/console/task/{task.pk}/new-draft/")
    draft = task.versions.get(version=2)
    page = admin.get(f"/catalog/console/version/{draft.pk}/edit/")
    assert page.status_code == 200 and "申请表字段" in html_of(page)
    assert 'name="form_fields-0-key"' in html_of(page)

    data = edit_payload(draft)
    start = int(data["form_fields-TOTAL_FORMS"])
    rows = [
        {"key": "shop_name", "label": "店铺招牌名称", "field_type": "text", "required": "on",
         "help_text": "与门头招牌一致"},
        {"key": "seats", "label": "就餐座位数", "field_type": "number"},
        {"key": "kind", "label": "经营类别", "field_type": "choice",
         "choices": "热食类，冷食类、饮品"},
    ]  # fmt: skip
    for offset, row in enumerate(rows):
        for key, value in row.items():
            data[f"form_fields-{start + offset}-{key}"] = value
    data["form_fields-TOTAL_FORMS"] = str(start + len(rows))
    saved = admin.post(f"/catalog/console/version/{draft.pk}/edit/", data)
    assert saved.status_code == 302, html_of(saved)
    fields = {f.key: f for f in draft.form_fields.all()}
    assert fields["kind"].choices == ["热食类", "冷食类", "饮品"]
    assert fields["shop_name"].required and not fields["seats"].required
    # The edit page shows the saved values again, choices in one box.
    again = html_of(admin.get(f"/catalog/console/version/{draft.pk}/edit/"))
    assert "店铺招牌名称" in again and "热食类，冷食类，饮品" in again

    citizen = client_for(personas.citizen)
    assert "店铺招牌名称" not in html_of(citizen.get(f"/cases/apply/{published_task.pk}/"))
    for action in ("submit", "approve", "publish"):
        assert admin.post(f"/catalog/console/version/{draft.pk}/{action}/").status_code == 302
    apply = html_of(citizen.get(f"/cases/apply/{draft.pk}/"))
    assert "店铺招牌名称" in apply and "与门头招牌一致" in apply
    assert "就餐座位数" in apply and "冷食类" in apply


def test_a_bad_form_field_is_refused_and_saves_nothing(personas: Any, published_task: Any) -> None:
    admin = client_for(personas.catalog_admin)
    draft = actions.new_draft_version(actor=personas.catalog_admin, task=published_task.task)
    data = edit_payload(draft)
    start = int(data["form_fields-TOTAL_FORMS"])
    for offset in range(2):  # the same key twice
        data[f"form_fields-{start + offset}-key"] = "same"
        data[f"form_fields-{start + offset}-label"] = f"字段{offset}"
        data[f"form_fields-{start + offset}-field_type"] = "text"
    data["form_fields-TOTAL_FORMS"] = str(start + 2)
    before = list(draft.form_fields.values_list("key", flat=True))
    refused = admin.post(f"/catalog/console/version/{draft.pk}/edit/", data)
    assert refused.status_code == 400 and "申请表字段标识 same 重复" in html_of(refused)
    assert list(draft.form_fields.values_list("key", flat=True)) == before


def test_the_version_page_in_english(personas: Any, published_task: Any) -> None:
    admin = client_for(personas.catalog_admin)
    draft = actions.new_draft_version(actor=personas.catalog_admin, task=published_task.task)
    admin.cookies["django_language"] = "en"
    body = html_of(admin.get(f"/catalog/console/version/{draft.pk}/edit/"))
    assert 'lang="en"' in body and "Application form field" in body
    assert "申请表字段" not in body and "可选值" not in body and "预填来源" not in body


def test_a_repeated_key_has_a_stable_code_for_every_caller(
    personas: Any, published_task: Any
) -> None:
    from yiwang.core.errors import DomainError

    draft = actions.new_draft_version(actor=personas.catalog_admin, task=published_task.task)
    rows = [{"key": "same", "label": "甲"}, {"key": "same", "label": "乙"}]
    with pytest.raises(DomainError) as caught:
        actions.update_draft(
            actor=personas.catalog_admin, version=draft, fields={}, children={"form_fields": rows}
        )
    assert caught.value.code == "form_field_key_repeated"
    assert caught.value.field == "form_fields.2.key"
