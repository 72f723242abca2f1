"""Demo data around a case: halls with extended and weekend hours, bookings, paid orders,
ratings (some poor, with tickets at various steps). Everything goes through the actions,
so it is audited; each step looks its object up first, so loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yiwang.appointments import actions as appointments
from yiwang.appointments.choices import Session
from yiwang.appointments.models import Booking, Hall, Slot, Window
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CatalogItem, Task, TaskVersion
from yiwang.core.actors import SYSTEM
from yiwang.identity.models import User
from yiwang.payments import actions as payments
from yiwang.payments.models import PaymentOrder
from yiwang.payments.providers import sandbox
from yiwang.ratings import actions as ratings
from yiwang.ratings.models import Rating
from yiwang.regions.models import Department, Region

# (catalog code, name, department name, region code, fees in fen)
ITEMS = [
    (
        "000217001000",
        "不动产登记（住宅转移登记）",
        "南昌市不动产登记中心",
        "360100000000",
        (("住宅登记费", 8000), ("不动产权证书工本费", 1000)),
    ),
    ("000201001000", "食品经营许可（新办）", "东湖区市场监督管理局", "360102000000", ()),
    ("000201012000", "个体工商户设立登记", "西湖区市场监督管理局", "360103000000", ()),
    (
        "000213004000",
        "机动车驾驶证补领",
        "南昌市公安局",
        "360100000000",
        (("驾驶证工本费", 1000),),
    ),
]
# (hall name, region code, running department, weekend service?)
HALLS = [
    ("南昌市民中心", "360100000000", "南昌市行政审批局", True),
    ("东湖区政务服务中心", "360102000000", "东湖区行政审批局", False),
    ("西湖区政务服务中心", "360103000000", "西湖区行政审批局", False),
    ("红谷滩区政务服务中心", "360113000000", "红谷滩区行政审批局", True),
]


def _version(code: str, name: str, dept: Department, region: Region, fees: Any) -> TaskVersion:
    task_code = f"{dept.uscc}4{code}D01"
    task = Task.objects.filter(task_code=task_code).select_related("current_version").first()
    if task is not None and task.current_version is not None:
        return task.current_version
    item = CatalogItem.objects.filter(
        catalog_code=code
    ).first() or catalog_actions.create_catalog_item(
        actor=SYSTEM, catalog_code=code, name=name.split("（")[0], task_type="01"
    )
    version = catalog_actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=dept,
        region=region,
        task_code=task_code,
        fields={
            "task_name": name,
            "task_type": "01",
            "use_level": "3" if region.code.endswith("0100000000") else "4",
            "server_type": ["1", "2"],
            "anticipate_day": 20,
            "promise_day": 5,
            "is_fee": bool(fees),
            "fee_basis": "《不动产登记收费标准》" if fees else "",
            "is_pay_online": bool(fees),
            "is_schedule": True,
        },
        children={
            "fees": [
                {"fee_name": fee, "fee_stand": "按件收取", "amount_fen": fen, "order_num": i}
                for i, (fee, fen) in enumerate(fees)
            ]
        },
    )
    catalog_actions.submit_version(actor=SYSTEM, version=version)
    catalog_actions.approve_version(actor=SYSTEM, version=version)
    return catalog_actions.publish_version(actor=SYSTEM, version=version)


def _templates(window: Window, weekend: bool) -> None:
    if window.templates.exists():
        return
    t = dt.time
    for weekday in range(5):
        for start, end in ((t(9), t(12)), (t(13, 30), t(17))):
            appointments.add_template(
                actor=SYSTEM, window=window, session=Session.REGULAR, weekday=weekday,
                start=start, end=end, slot_minutes=30, capacity=3,
            )  # fmt: skip
        appointments.add_template(  # 午间不间断
            actor=SYSTEM, window=window, session=Session.LUNCH, weekday=weekday,
            start=t(12), end=t(13, 30), slot_minutes=30, capacity=1,
        )  # fmt: skip
    for weekday in (1, 3):  # 延时: Tuesday and Thursday evenings
        appointments.add_template(
            actor=SYSTEM, window=window, session=Session.EVENING, weekday=weekday,
            start=t(17, 30), end=t(19, 30), slot_minutes=30, capacity=2,
        )  # fmt: skip
    if weekend:
        appointments.add_template(  # 周末及节假日: every non-working day morning
            actor=SYSTEM, window=window, session=Session.WEEKEND, weekday=None,
            start=t(9), end=t(12), slot_minutes=30, capacity=2,
        )  # fmt: skip


def load_halls(versions: list[TaskVersion]) -> list[Hall]:
    halls: list[Hall] = []
    city_wide = [v.task for v in versions if v.task.region.code == "360100000000"]
    for name, region_code, dept_name, weekend in HALLS:
        region = Region.objects.get(code=region_code)
        hall = Hall.objects.filter(name=name).first() or appointments.create_hall(
            actor=SYSTEM,
            name=name,
            region=region,
            department=Department.objects.get(name=dept_name),
            address=f"{region.name}政务服务中心一楼",
        )
        local = [v.task for v in versions if v.task.region.code == region_code]
        for number, label, tasks in (
            ("01", "综合受理", city_wide + local),
            ("02", "不动产专窗", city_wide[:1]),
        ):
            window = hall.windows.filter(number=number).first() or appointments.add_window(
                actor=SYSTEM, hall=hall, number=number, name=label, tasks=tasks
            )
            _templates(window, weekend)
        appointments.generate_slots(actor=SYSTEM, hall=hall, start=timezone.localdate(), days=14)
        halls.append(hall)
    return halls


def load_bookings(halls: list[Hall], citizens: list[User]) -> None:
    if Booking.objects.exists():
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for index, citizen in enumerate(citizens[:6]):
        hall = halls[index % len(halls)]
        slot = (
            Slot.objects.filter(window__hall=hall, date__gte=tomorrow, booked__lt=3)
            .order_by("date", "start_time")[index : index + 1]
            .first()
        )
        task = slot.window.tasks.filter(current_version__is_schedule=True).first() if slot else None
        if slot is not None and task is not None:
            appointments.book(actor=citizen, slot=slot, task=task)


def load_payments(versions: list[TaskVersion], citizens: list[User]) -> None:
    billable = [v for v in versions if v.fees.filter(amount_fen__gt=0).exists()]
    for index, citizen in enumerate(citizens[:5]):
        version = billable[index % len(billable)]
        project_no = f"{version.task.region.code[:6]}XK{timezone.localdate():%Y%m%d}{index + 1:06d}"
        if PaymentOrder.objects.filter(case_project_no=project_no).exists():
            continue
        order = payments.create_order(
            actor=SYSTEM, case_project_no=project_no, payer=citizen, task_version=version
        )
        if index >= 3:
            continue  # two stay unpaid, to try the cashier
        payments.start_payment(
            actor=citizen,
            order=order,
            channel=("wechat", "alipay", "unionpay")[index],
            return_url="/",
        )
        order.refresh_from_db()
        trade = sandbox.SandboxProvider().pay(order.provider_trade_no)
        body = sandbox.notice_body(trade, "TRADE_SUCCESS")
        # The provider's callback, as it would arrive (twice: the copy is acknowledged).
        for _copy in range(2):
            payments.receive_callback(
                provider_code="sandbox", headers=sandbox.sign(body), body=body, remote_addr="demo"
            )


def load_ratings(citizens: list[User]) -> None:
    if Rating.objects.exists():
        return
    donghu = Department.objects.get(name="东湖区行政审批局")
    xihu = Department.objects.get(name="西湖区行政审批局")
    supervisor = User.objects.get(username="supervisor")
    handlers = {
        donghu.pk: User.objects.get(username="donghu.clerk"),
        xihu.pk: User.objects.get(username="xihu.clerk"),
    }
    plan = [
        # (touchpoint, level, department, how far the ticket goes)
        ("application", 5, donghu, ""),
        ("case", 4, donghu, ""),
        ("payment", 5, xihu, ""),
        ("correction", 3, xihu, ""),
        ("receipt", 1, donghu, "closed"),
        ("case", 2, donghu, "visiting"),
        ("application", 2, xihu, "created"),
        ("correction", 1, xihu, "appeal"),
        ("case", 1, donghu, "ledger"),
    ]
    today = f"{timezone.localdate():%Y%m%d}"
    for index, (touchpoint, level, dept, stage) in enumerate(plan):
        rater = citizens[index % len(citizens)]
        invitation = ratings.open_invitation(
            actor=SYSTEM,
            case_project_no=f"{dept.region.code[:6]}XK{today}{100 + index:06d}",
            touchpoint=touchpoint,
            rater=rater,
            department=dept,
            task_name="食品经营许可（新办）" if dept == donghu else "个体工商户设立登记",
        )
        rating = ratings.submit_rating(
            actor=rater,
            invitation=invitation,
            level=level,
            indicators={"overall": level, "efficiency": max(1, level - 1)},
            reason_tags=["extra_materials"] if level <= 2 else [],
            comment="窗口要求补交指南以外的材料，跑了两趟。" if level <= 2 else "办理很顺利。",
        )
        _advance(rating, stage, supervisor, handlers[dept.pk], rater)
    # One more open invitation for the first demo citizen to try the rating form.
    ratings.open_invitation(
        actor=SYSTEM,
        case_project_no=f"360102XK{timezone.localdate():%Y%m%d}000999",
        touchpoint="case",
        rater=citizens[0],
        department=donghu,
        task_name="食品经营许可（新办）",
    )


def _advance(rating: Any, stage: str, supervisor: User, handler: User, rater: User) -> None:
    if not stage or stage == "created":
        return
    ticket = rating.ticket

    def step(actor: Any, action: str, **kw: Any) -> None:
        ratings.advance_ticket(actor=actor, ticket=ticket, action=action, **kw)

    step(supervisor, "dispatch")
    step(handler, "start_visit", note="已电话回访评价人，情况属实。")
    if stage == "visiting":
        return
    if stage == "appeal":
        step(handler, "appeal", note="评价人所述材料为法定必需材料。")
        return
    if stage == "ledger":
        step(handler, "open_ledger", ledger_due_date=timezone.localdate() + dt.timedelta(days=30))
        return
    step(handler, "rectify")
    step(handler, "complete_rectification", note="已更新办事指南并培训窗口人员。")
    step(handler, "send_feedback", note="已更新办事指南，今后不再要求该材料。")
    step(rater, "recheck", recheck_level="satisfied")
    step(supervisor, "close")


def load() -> None:
    """Load the around-a-case demo (idempotent)."""
    versions = []
    for code, name, dept_name, region_code, fees in ITEMS:
        dept = Department.objects.get(name=dept_name)
        versions.append(_version(code, name, dept, Region.objects.get(code=region_code), fees))
    halls = load_halls(versions)
    citizens = list(User.objects.filter(phone__startswith="138").order_by("phone")[:12])
    load_bookings(halls, citizens)
    load_payments(versions, citizens)
    load_ratings(citizens)
