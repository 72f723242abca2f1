"""The golden path as a library of steps, shared by every variant (language, elder mode, phone).

Each step acts the way its user would (labels and roles, never CSS paths), asserts what that
user sees, and leaves a screenshot `NN-<step>.png` in the variant's folder. Expected texts are
the project's own message ids translated into the variant's language, so the English run
checks the English catalogue too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from yiwang.cases.tests.conftest import PDF

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Generous: the machine may be busy, and a wait ends as soon as the page shows what it should.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
FACE = {
    "经营者名称": "南昌赣香餐饮管理有限公司",
    "经营场所": "南昌市东湖区八一大道 1 号",
    "经营项目": "热食类食品制售",
}


@dataclass(frozen=True)
class Variant:
    """One way of using the site: language, elder-friendly mode, screen."""

    name: str
    language: str = "zh-hans"
    elder: bool = False
    phone: bool = False
    keyboard: bool = False  # the application form is completed by keyboard alone
    audit: bool = True  # axe-core on the main pages (the phone run repeats the desktop's DOM)

    def t(self, message: str) -> str:
        """`message` (a Chinese source string) as this variant's user reads it."""
        with translation.override(self.language):
            return str(translation.gettext(message))

    def pt(self, context: str, message: str) -> str:
        """`message` under a translation context (pgettext), as this variant's user reads it."""
        with translation.override(self.language):
            return str(translation.pgettext(context, message))

    def label(self, lazy: Any) -> str:
        """A lazy label (a choice's label, say) in this variant's language."""
        with translation.override(self.language):
            return str(lazy)


VARIANTS = [
    Variant("zh"),
    Variant("en", language="en"),
    Variant("elder", elder=True, keyboard=True),
    Variant("phone", phone=True, audit=False),
]


# axe's default rule set is WCAG 2.0/2.1 A and AA plus best practices; only its violations.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@dataclass
class Journey:
    """Browser sessions of the path's people, and the screenshot counter of one variant."""

    browser: Browser
    base_url: str
    variant: Variant
    shots: Path
    axe: Path | None = None
    contexts: list[BrowserContext] = field(default_factory=list)
    step: int = 0
    facts: dict[str, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    # --- sessions ---------------------------------------------------------------------------

    def session(self) -> Page:
        """A fresh browser (own cookies) with the variant's screen, language and mode set."""
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "device_scale_factor": 1,
            "viewport": PHONE if self.variant.phone else DESKTOP,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
        }
        if self.variant.phone:
            options.update(is_mobile=True, has_touch=True)
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/")
        if self.variant.language != "zh-hans":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        if self.variant.elder:
            page.get_by_role("button", name=self.variant.t("长辈模式")).click()
            expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def shot(self, page: Page, name: str) -> None:
        """Keep what the user sees now as the next numbered screenshot."""
        self.step += 1
        page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)

    def audit(self, page: Page, name: str) -> None:
        """axe-core on the page as it stands; serious and critical violations are kept."""
        if self.axe is None or not self.variant.audit:
            return
        page.add_script_tag(path=str(self.axe))
        found = page.evaluate(AXE_RUN)
        for violation in found:
            if violation["impact"] in {"serious", "critical"}:
                self.violations.append(
                    f"{self.variant.name}/{name}: {violation['id']} ({violation['impact']}) "
                    f"{violation['help']} at {violation['nodes']}"
                )

    def t(self, message: str) -> str:
        return self.variant.t(message)

    def next_steps(self, page: Page) -> Any:
        """The citizen's case page and its 下一步 block (the links to the next steps)."""
        page.goto(self.facts["case_url"])
        expect(page.get_by_role("heading", level=1)).to_have_text(self.facts["task_name"])
        return page.get_by_role("region", name=self.variant.pt("标题", "下一步"), exact=True)

    def button(self, page: Page, message: str) -> Any:
        return page.get_by_role("button", name=self.t(message), exact=True)

    def nav(self, page: Page, message: str) -> None:
        """Follow a link of the site's main navigation (a menu on every page)."""
        menu = page.get_by_role("navigation", name=self.t("主导航"))
        menu.get_by_role("link", name=self.t(message), exact=True).click()

    def login(self, page: Page, username: str, password: str, *, shot: str = "") -> None:
        page.goto("/accounts/login/")
        page.get_by_label(self.t("手机号、身份证号或工作账号")).fill(username)
        page.get_by_label(self.t("密码")).fill(password)
        if shot:
            self.shot(page, shot)
            self.audit(page, "login")
        page.get_by_role("main").get_by_role("button", name=self.t("登录")).click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        menu = page.get_by_role("navigation", name=self.t("主导航"))
        expect(menu.get_by_role("link", name=self.t("登录"), exact=True)).to_have_count(0)

    def case_status(self, page: Page) -> Any:
        """The 状态 value of the case page's facts."""
        return page.locator("dt", has_text=exact(self.t("状态"))).locator(
            "xpath=following-sibling::dd[1]"
        )

    def act(self, page: Page, action: str, fields: dict[str, str] | None = None) -> None:
        """Run one of the case page's actions: its fieldset, fields by label, its button."""
        form = page.get_by_role("group", name=self.t(action), exact=True)
        for label, value in (fields or {}).items():
            control = form.get_by_label(self.t(label))
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(label=value)
            else:
                control.fill(value)
        form.get_by_role("button", name=self.t(action), exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(self.t("已办理。"))

    def open_case(self, page: Page, queue: str) -> None:
        """Staff: the case waits in their role's queue; open it from there by its number."""
        self.nav(page, "工作台")
        page.get_by_role("link", name=self.t("办件工作台")).click()
        queues = page.get_by_role("navigation", name=self.t("办件队列"))
        current = queues.locator("[aria-current=page]")
        expect(current).to_have_text(self.t(queue))
        if queue == "待收件/待受理":
            self.audit(page, "workbench")
        page.get_by_role("link", name=self.facts["project_no"], exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(self.facts["task_name"])


# --- the path ---------------------------------------------------------------------------------


def citizen_finds_the_item(j: Journey, citizen: Any) -> Page:
    """Logs in, says "开餐馆" in plain words, finds the food-business licence, reads its guide."""
    page = j.session()
    j.shot(page, "home")
    j.audit(page, "home")
    j.login(page, citizen.username, citizen.password, shot="login")
    expect(page.get_by_role("heading", level=1)).to_have_text(j.t("我的空间"))
    j.nav(page, "找事项")
    page.get_by_label(j.t("用自己的话说说要办什么")).fill("开餐馆")
    page.get_by_role("main").get_by_role("button", name=j.t("搜索"), exact=True).click()
    heading = "找到 %(counter)s 个事项"  # the catalogue's message id (a variable: not extracted)
    with translation.override(j.variant.language):
        found = translation.ngettext(heading, heading, 1)
    results = page.get_by_role("region", name=found % {"counter": 1}, exact=True)
    expect(results.get_by_role("listitem")).to_have_count(1)
    j.shot(page, "search")
    j.audit(page, "search")
    results.get_by_role("link", name=j.facts["task_name"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(j.facts["task_name"])
    main = page.get_by_role("main")
    for material in ("食品经营许可申请书", "食品安全管理制度"):
        expect(main).to_contain_text(material)
    j.shot(page, "guide")
    j.audit(page, "guide")
    return page


# The focused element's accessible name and whether its focus can be seen (an outline or a ring).
FOCUSED = """() => {
  const e = document.activeElement;
  const name = (e.labels && e.labels.length ? e.labels[0].innerText : e.innerText || "").trim();
  const style = getComputedStyle(e);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {name, visible: ring || style.boxShadow !== "none"};
}"""


def tab_to(j: Journey, page: Page, name: str, *, back: bool = False, limit: int = 40) -> Any:
    """Press Tab (Shift+Tab with back) until the control called `name` has a visible focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused["name"] == name:
            assert focused["visible"], f"focus on {name!r} cannot be seen"
            return page.locator("*:focus")
    raise AssertionError(f"{name!r} cannot be reached with the keyboard")


def citizen_applies_by_keyboard(j: Journey, page: Page, company: str) -> None:
    """The same application with Tab, Shift+Tab, typing, arrow keys and Enter only.

    A file input opens the operating system's file chooser, which a headless browser does not
    have: the input is reached and focused by keyboard like any other, and the file is then
    handed to that focused input, as the chooser would.
    """
    tab_to(j, page, j.t("在线申报"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=j.t("提交申请"))).to_be_visible()
    tab_to(j, page, j.t("办理摘要（可不填）"))
    page.keyboard.type("赣香小馆 · 热食类食品制售")
    tab_to(j, page, j.t("联系人手机"))
    page.keyboard.type("13900000001")
    tab_to(j, page, j.t("办理摘要（可不填）"), back=True)  # Shift+Tab goes back in order
    tab_to(j, page, j.t("申请人"))
    page.keyboard.press("ArrowDown")  # 本人 → the company, the next option
    expect(page.get_by_label(j.t("申请人"))).to_have_value(str(j.facts["company_id"]))
    for label, value in FACE.items():
        tab_to(j, page, label)
        page.keyboard.type(value)
    for material, file in (
        ("食品经营许可申请书", "申请书.pdf"),
        ("食品安全管理制度", "管理制度.pdf"),
    ):
        tab_to(j, page, material).set_input_files(pdf_file(file))
    j.shot(page, "apply-form")
    j.audit(page, "apply-form")
    tab_to(j, page, j.t("提交申请"))
    page.keyboard.press("Enter")
    submitted(j, page)


def citizen_applies(j: Journey, page: Page, company: str) -> None:
    """Applies in the company's name with two uploads; the 营业执照 is taken from its wallet."""
    if j.variant.keyboard:
        citizen_applies_by_keyboard(j, page, company)
        return
    page.get_by_role("link", name=j.t("在线申报")).click()
    page.get_by_label(j.t("申请人")).select_option(label=company)
    page.get_by_label(j.t("联系人手机")).fill("13900000001")
    page.get_by_label(j.t("办理摘要（可不填）")).fill("赣香小馆 · 热食类食品制售")
    for label, value in FACE.items():  # what the certificate will say
        page.get_by_label(label).fill(value)
    page.get_by_label("食品经营许可申请书").set_input_files(pdf_file("申请书.pdf"))
    page.get_by_label("食品安全管理制度").set_input_files(pdf_file("管理制度.pdf"))
    j.shot(page, "apply-form")
    j.audit(page, "apply-form")
    page.get_by_role("button", name=j.t("提交申请")).click()
    submitted(j, page)


def submitted(j: Journey, page: Page) -> None:
    """The case page after submission: a number, status 已提交, the materials listed."""
    from yiwang.cases.choices import CaseStatus

    expect(page.get_by_role("status")).to_contain_text(j.t("申请已提交。"))
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.SUBMITTED.label))
    number = page.locator("dt", has_text=exact(j.t("办件编号"))).locator(
        "xpath=following-sibling::dd[1]"
    )
    j.facts["project_no"] = number.inner_text().strip()
    assert re.fullmatch(r"\d{6}-\d{4}-\d+", j.facts["project_no"]) or j.facts["project_no"]
    materials = page.get_by_role("table", name=j.t("申请材料"))
    expect(materials).to_contain_text("申请书.pdf")
    expect(materials).to_contain_text("管理制度.pdf")
    j.facts["case_url"] = page.url
    j.shot(page, "case-submitted")


def citizen_books_a_slot(j: Journey, page: Page, hall: str) -> None:
    """Books a slot at the county hall from the case page's 下一步; the case shows the slot."""
    j.next_steps(page).get_by_role("link", name=j.t("预约办理时段"), exact=True).click()
    # The link chose the hall and the item, and names the case.
    expect(page.get_by_label(j.t("大厅")).locator("option:checked")).to_have_text(hall)
    expect(page.get_by_label(j.t("事项")).locator("option:checked")).to_have_text(
        j.facts["task_name"]
    )
    expect(page.get_by_label(j.t("办件编号（选填）"))).to_have_value(j.facts["project_no"])
    slots = page.get_by_role("group", name=j.t("选择时段"))
    first = slots.get_by_role("radio").first
    j.facts["slot"] = slots.locator("label").first.inner_text().split("·")[0].strip()
    first.check()
    j.shot(page, "book-slot")
    j.audit(page, "booking")
    j.button(page, "确认预约").click()
    expect(page.get_by_role("status")).to_contain_text(j.t("预约成功。"))
    row = page.get_by_role("row").filter(has_text=hall)
    expect(row).to_contain_text(j.facts["slot"])
    expect(row).to_contain_text(j.facts["project_no"])  # the booking is for this case
    j.shot(page, "booked")
    steps = j.next_steps(page)
    expect(steps.get_by_role("link", name=j.t("预约办理时段"), exact=True)).to_have_count(0)
    booked = steps.get_by_role("listitem").filter(has_text=j.t("已预约办理时段"))
    expect(booked).to_contain_text(hall)
    expect(booked).to_contain_text(j.facts["slot"].split("–")[0].strip())


def clerk_asks_for_a_correction(j: Journey, clerk: Any) -> Page:
    """The window clerk receives the case, finds the rules wanting, and says so once."""
    from yiwang.cases.choices import CaseStatus

    page = j.session()
    j.login(page, clerk.username, clerk.password)
    j.open_case(page, "待收件/待受理")
    j.act(page, "收件")
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.RECEIVED.label))
    row = page.get_by_role("row").filter(has_text="食品安全管理制度")
    row.get_by_label(j.t("不符合要求的理由")).fill("缺少从业人员健康管理制度")
    row.get_by_role("button", name=j.t("不符合"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(j.t("已记录核验结果。"))
    j.shot(page, "clerk-checks")
    j.audit(page, "case-clerk")
    j.act(page, "一次性告知补正", {"办理意见（可不填）": "请补充健康管理制度后重新上传"})
    expect(j.case_status(page)).to_contain_text(
        j.variant.label(CaseStatus.CORRECTION_REQUIRED.label)
    )
    j.shot(page, "correction-requested")
    return page


def citizen_corrects(j: Journey, page: Page) -> None:
    """The citizen reads the one-time notice, replaces the file and hands the correction in."""
    from yiwang.cases.choices import CaseStatus

    page.goto(j.facts["case_url"])
    notice = page.get_by_role("region", name=j.t("一次性补正告知"))
    expect(notice).to_contain_text("缺少从业人员健康管理制度")
    j.shot(page, "correction-notice")
    j.audit(page, "case-citizen")
    upload = page.locator("form").filter(has=page.get_by_label("食品安全管理制度", exact=True))
    upload.get_by_label("食品安全管理制度", exact=True).set_input_files(
        pdf_file("管理制度（修订）.pdf")
    )
    upload.get_by_role("button", name=j.t("上传")).click()
    expect(page.get_by_role("status")).to_contain_text(j.t("材料已上传。"))
    j.act(page, "提交补正材料")
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.RECEIVED.label))
    expect(page.get_by_role("table", name=j.t("申请材料"))).to_contain_text("管理制度（修订）.pdf")
    j.shot(page, "corrected")


def clerk_accepts(j: Journey, page: Page) -> None:
    from yiwang.cases.choices import CaseStatus

    page.reload()
    row = page.get_by_role("row").filter(has_text="食品安全管理制度")
    row.get_by_role("button", name=j.t("接收"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(j.t("已记录核验结果。"))
    j.act(page, "受理")
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.ACCEPTED.label))
    j.shot(page, "accepted")


def reviewer_agrees(j: Journey, reviewer: Any) -> None:
    from yiwang.cases.choices import CaseStatus, ReviewOpinion

    page = j.session()
    j.login(page, reviewer.username, reviewer.password)
    j.open_case(page, "待审查")
    agree = j.variant.label(ReviewOpinion.AGREE.label)
    j.act(page, "审查", {"审查意见": agree, "意见说明": "材料齐全，符合条件"})
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.IN_REVIEW.label))
    j.shot(page, "reviewed")


def approver_grants(j: Journey, approver: Any) -> Page:
    from yiwang.cases.choices import CaseStatus

    page = j.session()
    j.login(page, approver.username, approver.password)
    j.open_case(page, "待决定")
    j.act(page, "作出决定", {"决定": j.t("准予")})
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.DECIDED.label))
    j.shot(page, "approved")
    return page


def citizen_pays(j: Journey, page: Page) -> None:
    """The granted case is billed; from the case page the citizen pays in the sandbox cashier,
    and the case page then says it is paid and offers the e-receipt."""
    from yiwang.payments.choices import OrderStatus

    steps = j.next_steps(page)
    pay = steps.get_by_role("listitem").filter(has_text=j.variant.pt("下一步", "缴费"))
    expect(pay).to_contain_text("10.00")
    pay.get_by_role("link", name=j.variant.pt("下一步", "缴费"), exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(j.facts["project_no"])
    expect(page.get_by_role("main")).to_contain_text(j.variant.label(OrderStatus.PENDING.label))
    j.shot(page, "payment-order")
    j.audit(page, "payment")
    j.button(page, "去支付").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(j.t("沙箱收银台"))
    j.shot(page, "sandbox-cashier")
    j.audit(page, "sandbox-cashier")
    j.button(page, "确认支付").click()
    status = page.locator("dt", has_text=exact(j.t("状态"))).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(status).to_have_text(j.variant.label(OrderStatus.PAID.label))
    expect(page.get_by_role("link", name=j.t("下载电子缴款凭证（PDF）"))).to_be_visible()
    j.shot(page, "paid")
    steps = j.next_steps(page)
    expect(steps.get_by_role("link", name=j.t("已缴费"), exact=True)).to_be_visible()
    expect(steps.get_by_role("link", name=j.t("下载电子缴款凭证（PDF）"))).to_be_visible()
    pay = j.variant.pt("下一步", "缴费")
    expect(steps.get_by_role("link", name=pay, exact=True)).to_have_count(0)


def approver_issues(j: Journey, page: Page) -> None:
    """制证签章 issues the e-certificate; 送达 and 办结 follow (delivery needs the fee paid)."""
    from yiwang.cases.choices import CaseStatus

    page.reload()
    j.act(page, "制证签章")
    result = page.get_by_role("region", name=j.t("办理结果"))
    expect(result).to_contain_text(j.t("结果证照编号"))
    j.facts["identifier"] = (
        result.locator("dt", has_text=exact(j.t("结果证照编号")))
        .locator("xpath=following-sibling::dd[1]")
        .inner_text()
        .strip()
    )
    assert j.facts["identifier"].startswith("1.2.156.3005.2.")
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.CERT_ISSUING.label))
    j.shot(page, "certificate-issued")


def clerk_delivers(j: Journey, page: Page) -> None:
    from yiwang.cases.choices import CaseStatus, DeliveryMethod

    page.reload()
    j.act(page, "送达", {"送达方式": j.variant.label(DeliveryMethod.ELECTRONIC.label)})
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.DELIVERING.label))
    j.act(page, "办结")
    expect(j.case_status(page)).to_contain_text(j.variant.label(CaseStatus.COMPLETED.label))
    j.shot(page, "completed")


def citizen_downloads(j: Journey, page: Page) -> str:
    """The completed case leads to its certificate, valid; the citizen downloads its PDF."""
    from yiwang.certificates.choices import Status

    steps = j.next_steps(page)
    open_it = steps.get_by_role("listitem").filter(has_text=j.t("查看电子证照"))
    expect(open_it).to_contain_text("食品经营许可证")
    expect(open_it).to_contain_text(j.variant.label(Status.VALID.label))
    j.shot(page, "case-next-steps")
    j.audit(page, "case-next-steps")
    open_it.get_by_role("link", name=j.t("查看电子证照"), exact=True).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(j.facts["identifier"])
    expect(main).to_contain_text(j.facts["company"])
    expect(main).to_contain_text(FACE["经营场所"])
    j.shot(page, "wallet-certificate")
    j.audit(page, "wallet-certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name=j.t("下载 PDF")).click()
    saved = download.value.path()
    assert saved is not None and Path(saved).read_bytes().startswith(b"%PDF")
    link = page.get_by_role("link", name=j.t("查看公开核验页"))
    return str(link.get_attribute("href"))


def anyone_verifies(j: Journey, public_url: str) -> None:
    """An anonymous visitor opens the QR's link: valid, with the ledger proof."""
    page = j.session()
    page.goto(public_url)
    result = page.get_by_role("region", name=j.t("核验通过：证照真实有效"))
    expect(result).to_be_visible()
    ledger = result.get_by_role("row", name=re.compile(re.escape(j.t("区块链存证"))))
    expect(ledger).to_contain_text(j.t("已上链，可离线核验"))
    main = page.get_by_role("main")
    expect(main).to_contain_text(j.facts["company"])
    expect(main).to_contain_text(FACE["经营项目"])
    j.shot(page, "verified")
    j.audit(page, "verification")


def citizen_rates(j: Journey, page: Page) -> None:
    """From the case page: the whole case is rated first; the case page then shows it."""
    from yiwang.ratings.choices import Level, Touchpoint

    rate = j.variant.pt("下一步", "评价")
    j.next_steps(page).get_by_role("link", name=rate, exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(j.facts["project_no"])
    expect(page.get_by_role("main")).to_contain_text(j.variant.label(Touchpoint.CASE.label))
    very_good = j.variant.label(Level.VERY_SATISFIED.label)
    page.get_by_role("radio", name=very_good, exact=True).check()
    page.get_by_label(j.t("意见和建议")).fill("办事快，指南清楚。")
    j.shot(page, "rate")
    j.audit(page, "rating")
    j.button(page, "提交评价").click()
    expect(page.get_by_role("status")).to_contain_text(j.t("感谢您的评价。"))
    done = page.get_by_role("region", name=j.t("已评价"))
    expect(done.get_by_role("row").filter(has_text=j.facts["project_no"]).first).to_contain_text(
        very_good
    )
    j.shot(page, "rated")
    rated = j.next_steps(page).get_by_role("listitem").filter(has_text=j.t("已评价"))
    expect(rated).to_contain_text(very_good)


def pdf_file(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + name.encode()}


def golden_path(j: Journey, world: Any) -> None:
    """The whole path, in the order its users meet it."""
    from yiwang.portal.tests.browser.world import HALL

    j.facts["task_name"] = world.version.task_name
    j.facts["company"] = world.company.name
    j.facts["company_id"] = str(world.company.pk)
    citizen = citizen_finds_the_item(j, world.citizen)
    citizen_applies(j, citizen, world.company.name)
    citizen_books_a_slot(j, citizen, HALL)
    clerk = clerk_asks_for_a_correction(j, world.clerk)
    citizen_corrects(j, citizen)
    clerk_accepts(j, clerk)
    reviewer_agrees(j, world.reviewer)
    approver = approver_grants(j, world.approver)
    citizen_pays(j, citizen)
    approver_issues(j, approver)
    clerk_delivers(j, clerk)
    public_url = citizen_downloads(j, citizen)
    anyone_verifies(j, public_url)
    citizen_rates(j, citizen)
