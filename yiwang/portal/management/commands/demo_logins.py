"""Print the demo log-ins (they are reproducible, so they can be listed without state)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.identity.models import User
from yiwang.portal.demo.city import DEMO_PASSWORD

SHOWN = [
    ("13800000001", "市民 citizen"),
    ("13800000004", "企业经办人 enterprise operator"),
    ("donghu.clerk", "东湖区窗口人员 window clerk"),
    ("donghu.reviewer", "东湖区审查人员 reviewer"),
    ("donghu.approver", "东湖区审批人员 approver"),
    ("xihu.clerk", "西湖区窗口人员 window clerk (another county)"),
    ("catalog", "事项管理员 catalogue admin"),
    ("data", "数据管理员 data administrator (exchange)"),
    ("gongan.data", "公安局数据专员 provider's data officer"),
    ("donghu.data", "东湖区市场监管局数据专员 consumer's data officer"),
    ("supervisor", "效能监督员 supervisor"),
    ("admin", "系统管理员 system admin"),
]


class Command(BaseCommand):
    help = "Print the demo log-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号 / demo log-ins (password 密码: {DEMO_PASSWORD})")
        for login, role in SHOWN:
            exists = (
                User.objects.filter(phone=login).exists()
                or User.objects.filter(username=login).exists()
            )
            if exists:
                self.stdout.write(f"  {login:<18} {role}")
        self.stdout.write("")
