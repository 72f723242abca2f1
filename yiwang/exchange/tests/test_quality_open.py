"""Quality rules along GB/T 36344 with failing rows reported back; open data with DCAT-AP."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pyld import jsonld

from conftest import client_for
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.exchange import actions, clock, quality
from yiwang.exchange.choices import IssueStatus
from yiwang.exchange.models import DatasetDownload, OpenDataset, QualityIssue

LICENCE_ITEMS = [
    {"code": "zsbh", "name": "证书编号", "sensitivity": "1", "length": 20},
    {"code": "jgmc", "name": "机构名称", "sensitivity": "1"},
    {"code": "fzrq", "name": "发证日期", "data_type": "D", "sensitivity": "1"},
    {"code": "yxqz", "name": "有效期至", "data_type": "D", "sensitivity": "1"},
    {"code": "tyshxydm", "name": "统一社会信用代码", "sensitivity": "1"},
    {"code": "fddbr", "name": "法定代表人", "sensitivity": "3"},
]
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def licences(world, monkeypatch):
    """A published, openly licensed resource of 东湖区市场监督管理局 with five rows."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    draft = actions.create_resource(
        actor=world.data_admin,
        provider=world.city.dept_a2,
        category="2",
        subject_code="04",
        section_code="001",
        fields={
            "name": "食品经营许可证信息",
            "sharing_type": "1",
            "sharing_methods": ["api"],
            "open_type": "1",
            "update_cycle": "daily",
            "keywords": "食品、许可证",
        },  # fmt: skip
        items=LICENCE_ITEMS,
    )
    version = actions.publish_resource_version(actor=world.data_admin, version=draft)
    fresh, stale = NOW - dt.timedelta(days=1), NOW - dt.timedelta(days=40)
    good_uscc = world.city.dept_a.uscc
    rows = [
        ("JY13601020000001", "南昌赣香餐饮", "2025-01-10", "2030-01-09", good_uscc, fresh),
        ("", "洪城小吃店", "2025-02-01", "2030-01-31", good_uscc, fresh),  # completeness
        (
            "JY1360102000000X",
            "滕王阁茶社",
            "2025-03-01",
            "2030-02-28",
            good_uscc,
            fresh,
        ),  # accuracy
        (
            "JY13601020000004",
            "青山湖面馆",
            "2025-05-01",
            "2024-05-01",
            good_uscc,
            fresh,
        ),  # consistency
        ("JY13601020000005", "红谷超市", "2025-06-01", "2030-05-31", "91360100XXXXXXXXXX", stale),
    ]
    actions.load_records(
        actor=world.consumer_officer,
        resource=version.resource,
        rows=[
            {
                "label": r[1],
                "data": {
                    "zsbh": r[0],
                    "jgmc": r[1],
                    "fzrq": r[2],
                    "yxqz": r[3],
                    "tyshxydm": r[4],
                    "fddbr": "某人",
                },
                "updated_at": r[5],
            }
            for r in rows
        ],  # fmt: skip
    )
    return version


def _rules(world, resource):
    officer = world.consumer_officer
    add = actions.add_quality_rule
    add(actor=officer, resource=resource, item_code="zsbh", dimension="completeness")
    add(actor=officer, resource=resource, item_code="zsbh", dimension="accuracy",
        params={"regex": r"JY\d{14}"})  # fmt: skip
    add(actor=officer, resource=resource, item_code="yxqz", dimension="consistency",
        params={"field": "fzrq", "op": ">"})  # fmt: skip
    add(actor=officer, resource=resource, item_code="jgmc", dimension="timeliness",
        params={"max_age_days": 30})  # fmt: skip
    add(actor=officer, resource=resource, item_code="tyshxydm", dimension="conformity",
        params={"format": "uscc"})  # fmt: skip


@pytest.mark.django_db
def test_each_dimension_finds_its_failing_row_and_the_score_counts_them(world, licences) -> None:
    resource = licences.resource
    _rules(world, resource)
    run = actions.run_quality_check(actor=world.consumer_officer, resource=resource)
    assert (run.rows_checked, run.checks_run) == (5, 25)
    issues = QualityIssue.objects.filter(run=run)
    found = sorted((i.record.subject_label, i.dimension) for i in issues)
    assert found == [
        ("洪城小吃店", "completeness"),
        ("滕王阁茶社", "accuracy"),
        ("红谷超市", "conformity"),
        ("红谷超市", "timeliness"),
        ("青山湖面馆", "consistency"),
    ]
    assert run.checks_failed == 5 and run.rows_failed == 4
    assert str(run.score) == "80.00"  # 20 of 25 checks pass
    assert all(i.provider_department == world.city.dept_a2 for i in issues)


@pytest.mark.django_db
def test_failing_rows_go_back_to_the_provider_only(world, licences, personas) -> None:
    _rules(world, licences.resource)
    actions.run_quality_check(actor=world.consumer_officer, resource=licences.resource)
    mine = client_for(world.consumer_officer).get("/api/v1/exchange/quality/issues").json()
    assert mine["count"] == 5
    for outsider in (world.officer_b, personas.clerk_b):
        assert client_for(outsider).get("/api/v1/exchange/quality/issues").json()["count"] == 0
    scores = client_for(world.data_admin).get("/api/v1/exchange/quality/scores").json()
    assert scores == [
        {"department_id": world.city.dept_a2.pk, "department": "东湖区市场监督管理局",
         "score": 80.0, "resources": 1}
    ]  # fmt: skip
    page = client_for(world.consumer_officer).get("/exchange/quality/").content.decode()
    assert "洪城小吃店" in page and "80.0" in page


@pytest.mark.django_db
def test_a_fixed_row_is_closed_on_the_next_run_and_not_reported_twice(world, licences) -> None:
    resource = licences.resource
    _rules(world, resource)
    actions.run_quality_check(actor=world.consumer_officer, resource=resource)
    record = resource.records.get(subject_label="洪城小吃店")
    record.data["zsbh"] = "JY13601020000002"
    record.save()
    second = actions.run_quality_check(actor=world.consumer_officer, resource=resource)
    assert str(second.score) == "84.00"
    assert QualityIssue.objects.filter(status=IssueStatus.OPEN).count() == 4  # not 4 + 4
    fixed = QualityIssue.objects.get(record=record)
    assert fixed.status == IssueStatus.RESOLVED and fixed.resolution == "复检通过"


@pytest.mark.django_db
def test_rules_are_checked_when_written(world, licences) -> None:
    for dimension, params in (
        ("accuracy", {"regex": "("}),
        ("accuracy", {}),
        ("consistency", {"field": "nope", "op": ">"}),
        ("timeliness", {"max_age_days": 0}),
        ("conformity", {"format": "fax"}),
        ("beauty", {}),
    ):
        with pytest.raises(DomainError):
            actions.add_quality_rule(
                actor=world.consumer_officer,
                resource=licences.resource,
                item_code="zsbh",
                dimension=dimension,
                params=params,
            )
    with pytest.raises(PermissionDenied):
        actions.add_quality_rule(
            actor=world.officer_b, resource=licences.resource, item_code="zsbh",
            dimension="completeness",
        )  # fmt: skip


def test_evaluate_is_a_pure_function() -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    args = {"updated_at": at, "now": at}
    assert quality.evaluate("accuracy", {"min": 0, "max": 10}, "n", {"n": "11"}, **args)
    assert quality.evaluate("accuracy", {"min": 0, "max": 10}, "n", {"n": 5}, **args) is None
    assert quality.evaluate("accuracy", {"choices": ["a"]}, "n", {"n": "b"}, **args)
    assert quality.evaluate("conformity", {}, "d", {"d": "2026-13-01"}, data_type="D", **args)
    assert quality.evaluate("conformity", {}, "s", {"s": "abcdef"}, length=5, **args)
    assert quality.evaluate("accuracy", {"regex": "x"}, "n", {}, **args) is None  # counted once


@pytest.mark.django_db
def test_an_open_dataset_carries_only_public_items_and_counts_downloads(world, licences) -> None:
    dataset = actions.publish_dataset(
        actor=world.consumer_officer,
        resource=licences.resource,
        title="东湖区食品经营许可证",
        description="东湖区核发的食品经营许可证。",
        licence="CC-BY-4.0",
        keywords=["食品", "许可"],
        slug="donghu-food-licences",
    )
    assert "fddbr" not in dataset.columns  # 法定代表人 is 敏感: never opened
    anonymous = client_for(None)
    page = anonymous.get("/exchange/open/donghu-food-licences/").content.decode()
    assert "东湖区食品经营许可证" in page and 'rel="license"' in page and "某人" not in page
    download = anonymous.get("/exchange/open/donghu-food-licences/download.csv")
    csv_body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert csv_body.startswith("\ufeffzsbh,jgmc,fzrq,yxqz,tyshxydm")
    assert "南昌赣香餐饮" in csv_body and "某人" not in csv_body
    as_json = anonymous.get("/exchange/open/donghu-food-licences/download.json").json()
    assert len(as_json["rows"]) == 5 and "fddbr" not in as_json["rows"][0]
    api = anonymous.get("/api/v1/exchange/open/datasets/donghu-food-licences/rows?limit=2").json()
    assert api["count"] == 5 and len(api["rows"]) == 2
    dataset.refresh_from_db()
    assert dataset.download_count == 3
    assert sorted(DatasetDownload.objects.values_list("format", "count")) == [
        ("api", 1), ("csv", 1), ("json", 1),
    ]  # fmt: skip


@pytest.mark.django_db
def test_dcat_ap_description_is_valid_json_ld(world, licences) -> None:
    actions.publish_dataset(
        actor=world.consumer_officer, resource=licences.resource, title="东湖区食品经营许可证",
        description="东湖区核发的食品经营许可证。", licence="CC-BY-4.0", slug="food",
    )  # fmt: skip
    response = client_for(None).get("/exchange/open/food/dcat.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    expanded = jsonld.expand(document)
    dataset = expanded[0]
    assert dataset["@type"] == ["http://www.w3.org/ns/dcat#Dataset"]
    assert dataset["http://purl.org/dc/terms/license"] == [
        {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    ]
    assert dataset["http://purl.org/dc/terms/accrualPeriodicity"] == [
        {"@id": "http://publications.europa.eu/resource/authority/frequency/DAILY"}
    ]
    downloads = [
        d["http://www.w3.org/ns/dcat#downloadURL"][0]["@id"]
        for d in dataset["http://www.w3.org/ns/dcat#distribution"]
        if "http://www.w3.org/ns/dcat#downloadURL" in d
    ]
    assert sorted(downloads) == [
        "http://testserver/exchange/open/food/download.csv",
        "http://testserver/exchange/open/food/download.json",
    ]
    catalog = jsonld.expand(
        json.loads(client_for(None).get("/exchange/open/catalog.jsonld").content)
    )
    assert catalog[0]["@type"] == ["http://www.w3.org/ns/dcat#Catalog"]


@pytest.mark.django_db
def test_only_unconditionally_open_resources_with_public_items_are_opened(world, licences) -> None:
    with pytest.raises(DomainError) as caught:
        actions.publish_dataset(
            actor=world.police_officer, resource=world.population.resource, title="人口",
            description="x", licence="CC0-1.0",
        )  # fmt: skip
    assert caught.value.code == "resource_not_open"
    dataset = actions.publish_dataset(
        actor=world.consumer_officer, resource=licences.resource, title="t", description="d",
        licence="CC0-1.0", slug="t",
    )  # fmt: skip
    actions.withdraw_dataset(actor=world.consumer_officer, dataset=dataset, reason="数据更正中")
    assert client_for(None).get("/exchange/open/t/").status_code == 404
    assert client_for(None).get("/exchange/open/t/download.csv").status_code == 404
    assert OpenDataset.objects.get().download_count == 0
