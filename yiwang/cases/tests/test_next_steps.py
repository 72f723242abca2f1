"""The case page's 下一步: pay, book, rate and open the certificate from the case itself.

Each link is asserted the way the citizen meets it: it appears when the step is due, leads to
the app's own page, and gives way to the step's result once taken. Staff read the facts
(paid or not, the booked slot) without the citizen's links; strangers get a 404."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import client_for
from yiwang.appointments import actions as appointment_actions
from yiwang.appointments.choices import Session
from yiwang.cases import actions
from yiwang.cases.links import CaseLink, links_for, register_case_links, unregister_case_links
from yiwang.cases.outbox import deliver_pending
from yiwang.cases.tests.conftest import submit
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def next_steps(html: str) -> dict[str, str]:
    """{link text: href} of the 下一步 block (empty when the page has none)."""
    match = re.search(r'<section aria-labelledby="next-h".*?</section>', html, re.S)
    if match is None:
        return {}
    return {text.strip(): href.replace("&amp;", "&") for href, text in LINK.findall(match[0])}


def block(html: str) -> str:
    match = re.search(r'<section aria-labelledby="next-h".*?</section>', html, re.S)
    return match[0] if match else ""


@dataclass
class Item:
    version: Any
    hall: Any

    @property
    def task_id(self) -> int:
        return int(self.version.task_id)


@pytest.fixture
def item(city: Any) -> Item:
    """A bookable item with a 10-yuan fee whose result is an e-certificate, served at a hall."""
    from yiwang.certificates import actions as certificate_actions
    from yiwang.certificates.tests.conftest import DISABILITY_CARD, make_types

    make_types()
    certificate_actions.create_issuer_key(actor=SYSTEM, department=city.dept_a2)
    version = make_published_task(
        city, code_suffix="0031", result_certificate_type_code=DISABILITY_CARD, is_schedule=True
    )
    version.fees.create(fee_name="工本费", fee_stand="10元/证", amount_fen=1000)
    hall = appointment_actions.create_hall(
        actor=SYSTEM,
        name="东湖区政务服务中心",
        region=city.county_a,
        department=city.dept_a,
        address="南昌市东湖区豫章路 1 号",
    )
    window = appointment_actions.add_window(
        actor=SYSTEM, hall=hall, number="A01", name="综合受理", tasks=[version.task]
    )
    for weekday in range(7):
        appointment_actions.add_template(
            actor=SYSTEM, window=window, session=Session.REGULAR, weekday=weekday,
            start=dt.time(9), end=dt.time(17), slot_minutes=60, capacity=2,
        )  # fmt: skip
    appointment_actions.add_template(
        actor=SYSTEM, window=window, session=Session.WEEKEND, weekday=None,
        start=dt.time(9), end=dt.time(17), slot_minutes=60, capacity=2,
    )  # fmt: skip
    appointment_actions.generate_slots(
        actor=SYSTEM, hall=hall, start=timezone.localdate() + dt.timedelta(days=1), days=7
    )
    return Item(version, hall)


def applied(personas: Any, item: Any) -> Any:
    case = submit(personas.citizen, item.version, form_data={"category": "肢体", "level": "三级"})
    deliver_pending()
    return case


def decided(case: Any, staff: Any) -> Any:
    case = actions.receive_case(actor=staff.clerk, case=case)
    case = actions.accept_case(actor=staff.clerk, case=case)
    case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree")
    case = actions.decide_case(actor=staff.approver, case=case, granted=True)
    deliver_pending()  # the fee order is made
    return case


def page(user: Any, case: Any, language: str = "zh-hans") -> str:
    client = client_for(user)
    client.cookies["django_language"] = language
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_booking_from_the_case_page_replaces_the_link_with_the_slot(personas, staff, item) -> None:
    case = applied(personas, item)
    steps = next_steps(page(personas.citizen, case))
    book = steps["预约办理时段"]
    assert f"case={case.project_no}" in book and f"hall={item.hall.pk}" in book
    citizen = client_for(personas.citizen)
    form = citizen.get(book).content.decode()
    assert f'value="{case.project_no}"' in form  # the booking page knows the case
    slot = re.search(r"name=\"slot\" id=\"slot-\d+\" value=\"(\d+)\"", form)
    assert slot is not None
    done = citizen.post(
        "/appointments/book/",
        {
            "hall": item.hall.pk,
            "task": item.task_id,
            "slot": slot[1],
            "case_project_no": case.project_no,
        },
    )
    assert done.status_code == 302
    html = page(personas.citizen, case)
    assert "预约办理时段" not in next_steps(html)
    assert "已预约办理时段" in next_steps(html)
    assert "东湖区政务服务中心 A01 号窗口" in block(html)
    # The clerk reads the booked slot, without a link to the citizen's bookings.
    clerk_view = page(staff.clerk, case)
    assert "东湖区政务服务中心 A01 号窗口" in block(clerk_view) and next_steps(clerk_view) == {}


def test_no_booking_link_for_an_item_that_cannot_be_booked(personas, city) -> None:
    version = make_published_task(city, code_suffix="0032")  # is_schedule is off
    case = submit(personas.citizen, version)
    assert "预约办理时段" not in next_steps(page(personas.citizen, case))


def test_paying_from_the_case_page_shows_paid_and_the_receipt(
    personas, staff, item, django_capture_on_commit_callbacks
) -> None:
    case = applied(personas, item)
    assert "缴费" not in next_steps(page(personas.citizen, case))  # nothing billed yet
    case = decided(case, staff)
    html = page(personas.citizen, case)
    pay = next_steps(html)["缴费"]
    assert "10.00 元" in block(html)
    citizen = client_for(personas.citizen)
    to_cashier = citizen.post(pay, {"channel": "alipay"})
    assert to_cashier.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        citizen.post(to_cashier["Location"], {"action": "pay"})
    steps = next_steps(page(personas.citizen, case))
    assert "缴费" not in steps and "已缴费" in steps
    receipt = citizen.get(steps["下载电子缴款凭证（PDF）"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_staff_read_paid_or_not_and_the_slot_without_the_citizens_links(
    personas, staff, item
) -> None:
    case = decided(applied(personas, item), staff)
    html = page(staff.clerk, case)
    assert next_steps(html) == {}  # no pay, rate or book links for the clerk
    assert "申请人缴费与预约" in block(html) and "待缴费" in block(html)
    assert "10.00 元" in block(html)


def test_rating_from_the_case_page_shows_the_rating(personas, item) -> None:
    case = applied(personas, item)  # submitting opens the 申报 touchpoint
    rate = next_steps(page(personas.citizen, case))["评价"]
    done = client_for(personas.citizen).post(rate, {"level": "5", "comment": "很快"})
    assert done.status_code == 302
    html = page(personas.citizen, case)
    assert "评价" not in next_steps(html) and "已评价" in next_steps(html)
    assert "申报：非常满意" in block(html)


def test_the_issued_certificate_is_one_click_away(personas, staff, item) -> None:
    from yiwang.certificates.models import Certificate
    from yiwang.payments.actions import settle_paid
    from yiwang.payments.models import PaymentOrder

    case = decided(applied(personas, item), staff)
    assert "查看电子证照" not in next_steps(page(personas.citizen, case))
    settle_paid(
        PaymentOrder.objects.get(case_project_no=case.project_no),
        "sandbox",
        "T-9",
        timezone.now(),
        via="test",
    )
    actions.issue_result(actor=staff.approver, case=case)
    certificate = Certificate.objects.get(case_project_no=case.project_no)
    wallet = next_steps(page(personas.citizen, case))["查看电子证照"]
    response = client_for(personas.citizen).get(wallet)
    assert response.status_code == 200 and certificate.identifier in response.content.decode()
    assert "查看电子证照" not in next_steps(page(staff.approver, case))


def test_another_citizen_gets_404_and_no_links(personas, item) -> None:
    case = applied(personas, item)
    assert client_for(personas.other_citizen).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(None).get(f"/cases/{case.pk}/").status_code in {302, 404}


def test_the_block_in_english(personas, item) -> None:
    case = applied(personas, item)
    html = page(personas.citizen, case, "en")
    assert 'id="next-h">Next step' in html
    steps = next_steps(html)
    assert {"Book a hall visit", "Rate the service"} <= set(steps), steps


def test_my_cases_lists_next_steps_without_a_query_per_row(personas, item) -> None:
    citizen = client_for(personas.citizen)
    first = applied(personas, item)
    html = citizen.get("/cases/mine/").content.decode()
    assert f"?hall={item.hall.pk}&amp;task={item.task_id}&amp;case={first.project_no}" in html
    with CaptureQueriesContext(connection) as one_row:
        citizen.get("/cases/mine/")
    for _ in range(3):
        applied(personas, item)
    with CaptureQueriesContext(connection) as four_rows:
        response = citizen.get("/cases/mine/")
    assert response.content.decode().count("预约办理时段") == 4
    assert len(four_rows) == len(one_row)


def test_a_registered_provider_is_asked_and_can_be_removed(personas, item) -> None:
    case = applied(personas, item)
    register_case_links("test", lambda case, user: [CaseLink("测试一步", "/x/")], order=1)
    try:
        assert links_for(case, personas.citizen)[0].label == "测试一步"
    finally:
        unregister_case_links("test")
    assert all(link.label != "测试一步" for link in links_for(case, personas.citizen))
