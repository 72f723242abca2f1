"""The demo city's exchange: loaded through the actions, idempotent, and telling a story."""

from __future__ import annotations

import pytest

from conftest import client_for
from yiwang.exchange.choices import SharingStatus, VersionStatus
from yiwang.exchange.models import (
    DataCopy,
    MessageLog,
    Node,
    OpenDataset,
    Resource,
    ResourceVersion,
    SharingRequest,
)
from yiwang.identity.models import User
from yiwang.portal.demo.city import load_city


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Resource, ResourceVersion, SharingRequest, MessageLog, Node, OpenDataset)
    )


@pytest.mark.django_db
def test_the_demo_exchange_loads_once_and_shows_a_working_city() -> None:
    logins = load_city()
    before = _counts()
    load_city()
    assert _counts() == before  # idempotent
    assert {"gongan.data", "donghu.data"} <= {login.login for login in logins}
    published = ResourceVersion.objects.filter(status=VersionStatus.PUBLISHED)
    assert published.count() >= 18
    names = set(published.values_list("name", flat=True))
    assert {"人口基础信息", "法人基础信息", "营业执照信息", "社保参保信息", "不动产登记信息",
            "婚姻登记信息"} <= names  # fmt: skip
    states = set(SharingRequest.objects.values_list("status", flat=True))
    assert {SharingStatus.AUTHORIZED, SharingStatus.COMPLIANCE_REVIEW, SharingStatus.REFUSED,
            SharingStatus.PROVIDER_REVIEW, SharingStatus.NEGOTIATION} <= states  # fmt: skip
    assert Node.objects.count() == 2 and OpenDataset.objects.count() >= 2
    assert DataCopy.objects.exists()  # 一数一源: copies of 公安局's data elsewhere keep lineage
    assert all(not entry.problems() for entry in MessageLog.objects.all())
    citizen = User.objects.get(phone="13800000001")
    page = client_for(citizen).get("/exchange/my-data/").content.decode()
    assert "东湖区市场监督管理局" in page and "免提交" in page
    assert client_for(None).get("/exchange/open/business-licences/").status_code == 200
