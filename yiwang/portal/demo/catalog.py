"""Demo catalogue: ~350 implementation rows of real item names at all four levels.

City departments implement city-level rows; each county's 行政审批局, 市场监督管理局 and
人社局 claim the county items; township (乡镇/街道) and village (村/社区) rows are claimed by
the county department for those regions (DOMAIN §3.1.1: each city claims the items of all its
levels). Everything is created, reviewed and published through the catalogue actions. Then a
baseline is taken and a set of items is streamlined (fewer steps, materials replaced by
e-certificates or shared data, shorter promised limits), so the metrics page shows real cuts.
Running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from yiwang.catalog import actions
from yiwang.catalog.models import BaselineSnapshot, CatalogItem, Synonym, Task, TaskVersion
from yiwang.core.actors import SYSTEM
from yiwang.regions.choices import RegionLevel
from yiwang.regions.models import Department, Region

BASELINE_NAME = "2024 年改革前基线"

# GB/T 36904 certificate type codes (defining ministry's USCC + 3 digits) and data resources.
LICENCE = ("营业执照", "4", "11100000000013127D001")
ID_CARD = ("居民身份证", "4", "11100000000013338W001")
HUKOU = ("居民户口簿", "5", "RES-360100-GA-0001")
MARRIAGE = ("结婚证", "4", "11100000000013196E001")
DEED = ("不动产权证书", "4", "111000000000131433001")
SOCIAL = ("社会保险参保缴费记录", "5", "RES-360100-RS-0003")
HOSPITAL = ("出院记录及费用明细", "5", "RES-360100-WJ-0007")
BIRTH_RECORD = ("分娩记录", "5", "RES-360100-WJ-0002")
DISABILITY = ("残疾评定结论", "5", "RES-360100-CL-0001")
BIRTH_CERT = ("出生医学证明", "4", "11100000000013213M001")


@dataclass(frozen=True)
class Item:
    """One basic-catalogue item and how the demo city implements it."""

    name: str
    task_type: str
    owner: str  # a city department's name, or a county department kind
    level: str  # city | county | township | village
    anticipate: int | None
    promise: int | None
    materials: tuple[Any, ...] = ()
    aliases: str = ""
    person: tuple[str, ...] = ()
    corp: tuple[str, ...] = ()
    servers: tuple[str, ...] = ("1",)
    fees: tuple[tuple[str, str, int], ...] = ()
    situations: tuple[str, ...] = ()
    faqs: tuple[tuple[str, str], ...] = ()
    result: tuple[str, str, str] = ("3", "", "")
    depth: str = "4"
    area: str = "2"
    # (steps now, promise now, materials that became certificates/shared data) when streamlined
    streamline: tuple[int, int, tuple[Any, ...]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # 申请表 fields: (key, label, field type, required, prefill source)
    form: tuple[tuple[str, str, str, bool, str], ...] = ()


ITEMS: list[Item] = [
    # ---- county items: every county's own departments ----
    Item("营业执照（企业设立登记）", "01", "市场监督管理局", "county", 15, 3,
         ("公司登记（备案）申请书", "公司章程", "股东主体资格证明", "法定代表人任职文件",
          ID_CARD[0], "住所使用证明"),
         "开公司、注册公司、办执照、企业开办", corp=("business_start",), servers=("2",),
         situations=("有限责任公司设立", "股份有限公司设立"),
         faqs=(("注册公司要多久？", "材料齐全的，1 个工作日内办结。"),),
         result=("1", "营业执照", "11100000000013127D001"),
         streamline=(2, 1, (ID_CARD,))),
    Item("个体工商户登记", "01", "市场监督管理局", "county", 15, 1,
         ("个体工商户登记申请书", ID_CARD[0], "经营场所使用证明"),
         "开店、开小卖部、开网店、摆摊", corp=("business_start",), servers=("1",),
         situations=("设立登记", "变更登记", "注销登记"),
         faqs=(("开网店也要登记吗？", "以网络经营场所登记的，可以通过网上办理。"),),
         result=("1", "营业执照", "11100000000013127D001"), streamline=(1, 0, (ID_CARD,)),
         form=(("operator", "经营者姓名", "text", True, "profile:name"),
               ("premises", "经营场所", "text", True, ""),
               ("scope", "经营范围", "text", True, ""),
               ("mobile", "联系电话", "text", False, "profile:mobile"))),
    Item("食品经营许可", "01", "市场监督管理局", "county", 20, 10,
         ("食品经营许可申请书", LICENCE[0], ID_CARD[0], "食品安全管理制度",
          "经营设备布局和工艺流程", "食品安全管理人员健康证明"),
         "开餐馆、开超市、小吃店、奶茶店、卖食品", corp=("business_start",), servers=("1", "2"),
         situations=("食品经营许可（新办）", "食品经营许可（变更）", "食品经营许可（延续）"),
         faqs=(("小餐饮也要办食品经营许可吗？", "小餐饮实行登记管理，按本市小餐饮登记办法办理。"),
               ("许可证有效期多长？", "食品经营许可证有效期为 5 年。")),
         result=("1", "食品经营许可证", "11100000000013127D011"),
         streamline=(3, 5, (LICENCE, ID_CARD)),
         form=(("operator", "经营者名称", "text", True, "profile:name"),
               ("premises", "经营场所", "text", False, ""),
               ("items", "经营项目", "text", False, ""))),
    Item("公共场所卫生许可", "01", "行政审批局", "county", 20, 10,
         ("公共场所卫生许可申请书", LICENCE[0], "卫生管理制度", "从业人员健康合格证明",
          "卫生检测报告"),
         "开宾馆、开理发店、开美容院、开游泳馆", corp=("business_start",), servers=("2",),
         result=("1", "公共场所卫生许可证", "11100000000013144A001"),
         streamline=(2, 3, (LICENCE,))),
    Item("酒类商品零售许可", "01", "行政审批局", "county", 20, 5,
         ("酒类商品零售许可申请表", LICENCE[0], "经营场所使用证明"),
         "卖酒、开烟酒店", corp=("business_operation",), servers=("1", "2"),
         result=("1", "酒类商品零售许可证", ""),
         form=(("liquor_kinds", "经营酒类品种", "choice", False, ""),)),
    Item("药品零售企业经营许可", "01", "市场监督管理局", "county", 30, 15,
         ("药品经营许可证申请表", LICENCE[0], "执业药师注册证", "质量管理文件",
          "经营场所平面图"),
         "开药店、开药房", corp=("business_start",), servers=("2",),
         result=("1", "药品经营许可证", "")),
    Item("第二类医疗器械经营备案", "07", "市场监督管理局", "county", None, None,
         ("第二类医疗器械经营备案表", LICENCE[0], "经营场所和贮存条件说明"),
         "卖医疗器械、卖口罩", corp=("business_operation",), servers=("2",), depth="4"),
    Item("出版物零售单位设立", "01", "行政审批局", "county", 20, 10,
         ("出版物零售业务申请书", LICENCE[0], "经营场所使用证明"),
         "开书店、卖书", corp=("business_start",), servers=("1", "2")),
    Item("烟花爆竹经营（零售）许可", "01", "行政审批局", "county", 20, 10,
         ("烟花爆竹经营（零售）许可申请书", LICENCE[0], "安全管理制度",
          "主要负责人安全培训合格证明"),
         "卖烟花、卖鞭炮", corp=("business_operation",), servers=("1", "2"), depth="3"),
    Item("娱乐场所经营许可", "01", "行政审批局", "county", 20, 10,
         ("娱乐场所经营许可申请书", LICENCE[0], "消防安全检查合格证明", "场所平面图"),
         "开KTV、开歌厅、开舞厅", corp=("business_start",), servers=("2",)),
    Item("建筑工程施工许可证核发", "01", "行政审批局", "county", 15, 5,
         ("建筑工程施工许可申请表", "建设工程规划许可证", "中标通知书及施工合同",
          "施工图审查合格书", "质量安全监督手续"),
         "施工许可、开工许可", corp=("construction",), servers=("2",),
         result=("1", "建筑工程施工许可证", ""), streamline=(2, 3, ())),
    Item("特种设备使用登记", "07", "市场监督管理局", "county", 15, 5,
         ("特种设备使用登记表", "产品合格证", "监督检验证明", LICENCE[0]),
         "电梯登记、锅炉登记", corp=("business_operation",), servers=("2",)),
    Item("民办非企业单位成立登记", "07", "行政审批局", "county", 60, 20,
         ("成立登记申请书", "章程草案", "验资报告", "场所使用权证明", "拟任负责人身份证明"),
         "成立民非、办培训机构登记", corp=("business_start",), servers=("4",)),
    Item("城镇职工基本养老保险待遇申领", "05", "人力资源和社会保障局", "county", 20, 5,
         ("养老保险待遇申领表", ID_CARD[0], "本人银行账户", SOCIAL[0],
          "视同缴费年限认定材料"),
         "退休、领养老金、办退休", person=("retirement",), servers=("1",),
         faqs=(("什么时候可以申领养老金？", "达到法定退休年龄且累计缴费满 15 年。"),),
         streamline=(2, 1, (ID_CARD, SOCIAL))),
    Item("失业保险金申领", "05", "人力资源和社会保障局", "county", 10, 3,
         ("失业保险金申领表", ID_CARD[0], "解除劳动合同证明"),
         "领失业金、失业了", person=("employment",), servers=("1",),
         streamline=(1, 1, (ID_CARD,))),
    Item("就业困难人员认定", "07", "人力资源和社会保障局", "county", 15, 5,
         ("就业困难人员认定申请表", ID_CARD[0], "相关困难证明"),
         "找工作困难、就业援助", person=("employment",), servers=("1",)),
    Item("社会保障卡申领", "20", "人力资源和社会保障局", "county", None, 5,
         (ID_CARD[0], "近期免冠证件照"),
         "社保卡、办社保卡、补办社保卡", person=("social_security",), servers=("1",),
         fees=(("社会保障卡补换工本费", "每卡 15 元（首次申领免费）", 1500),),
         situations=("首次申领", "挂失补换"), result=("1", "社会保障卡", ""),
         streamline=(1, 1, (ID_CARD,))),
    Item("灵活就业人员参保登记", "20", "人力资源和社会保障局", "county", None, 1,
         ("参保登记表", ID_CARD[0]),
         "自由职业交社保、个人交社保", person=("social_security",), servers=("1",)),
    # ---- city items: one row each, by a city department ----
    Item("居民身份证换领", "07", "南昌市公安局", "city", 60, 30,
         ("居民户口簿", "近期免冠照片（现场采集）"),
         "换身份证、身份证到期、办身份证", person=("civil",), servers=("1",),
         fees=(("居民身份证工本费", "每证 20 元", 2000),), depth="3", area="4",
         faqs=(("身份证可以异地换领吗？", "可以，全国范围内跨省通办。"),),
         result=("1", "居民身份证", "11100000000013338W001"),
         streamline=(2, 20, (HUKOU,))),
    Item("户口迁移（迁入）", "07", "南昌市公安局", "city", 20, 10,
         ("户口迁移申请表", HUKOU[0], "合法稳定住所证明", ID_CARD[0]),
         "落户、迁户口、户口迁入", person=("civil", "housing"), servers=("1",), depth="3",
         situations=("投靠亲属", "购房落户", "人才引进")),
    Item("普通护照签发", "07", "南昌市公安局", "city", 15, 7,
         ("中国公民出入境证件申请表", ID_CARD[0]),
         "办护照、出国", person=("travel",), servers=("1",),
         fees=(("护照工本费", "每本 120 元", 12000),), depth="3", area="5"),
    Item("出生医学证明", "20", "南昌市卫生健康委员会", "city", None, 1,
         ("出生医学证明申请表", ID_CARD[0], BIRTH_RECORD[0]),
         "生孩子、出生证明、宝宝出生", person=("birth",), servers=("1",),
         faqs=(("出生医学证明丢了怎么办？", "到原签发机构申请补发。"),),
         result=("1", "出生医学证明", ""), streamline=(1, 0, (BIRTH_RECORD, ID_CARD))),
    Item("医疗机构执业登记", "01", "南昌市卫生健康委员会", "city", 45, 20,
         ("医疗机构执业登记申请书", "医疗机构设置批准书", "房屋产权证明", "医务人员名单"),
         "开诊所、开医院", corp=("business_start",), servers=("2",)),
    Item("护士执业注册", "01", "南昌市卫生健康委员会", "city", 20, 10,
         ("护士执业注册申请审核表", "护士执业资格考试成绩合格证明", "健康体检证明"),
         "护士注册", person=("employment",), servers=("1",)),
    Item("商品房预售许可", "01", "南昌市住房和城乡建设局", "city", 10, 5,
         ("商品房预售许可申请表", "土地使用权证书", "建设工程规划许可证", "施工许可证",
          "预售方案"),
         "卖期房、预售证", corp=("construction",), servers=("2",)),
    Item("建筑业企业资质核准", "01", "南昌市住房和城乡建设局", "city", 20, 10,
         ("建筑业企业资质申请表", LICENCE[0], "技术负责人资料", "企业安全生产许可证"),
         "施工资质", corp=("construction",), servers=("2",)),
    Item("建设工程规划许可", "01", "南昌市自然资源和规划局", "city", 20, 10,
         ("建设工程规划许可申请表", "建设用地规划许可证", "总平面图", "建筑设计方案",
          "土地权属证明"),
         "规划许可、盖楼审批", corp=("construction",), servers=("2",),
         result=("1", "建设工程规划许可证", ""), streamline=(3, 5, ())),
    Item("建设用地规划许可", "01", "南昌市自然资源和规划局", "city", 20, 10,
         ("建设用地规划许可申请表", "建设项目批准文件", "用地红线图"),
         "用地规划", corp=("construction",), servers=("2",)),
    Item("结婚登记", "07", "南昌市民政局", "city", 1, 0,
         (ID_CARD[0], HUKOU[0], "本人无配偶及与对方没有直系血亲关系的签字声明"),
         "结婚、领证、办结婚证", person=("marriage",), servers=("1",), depth="1", area="4",
         situations=("内地居民结婚登记",), result=("1", "结婚证", "11100000000013196E001"),
         streamline=(1, 0, (HUKOU,))),
    Item("离婚登记", "07", "南昌市民政局", "city", 30, 30,
         (ID_CARD[0], MARRIAGE[0], "离婚协议书"),
         "离婚", person=("marriage",), servers=("1",), depth="1"),
    Item("社会团体成立登记", "07", "南昌市民政局", "city", 60, 30,
         ("社会团体成立登记申请书", "章程草案", "业务主管单位批准文件", "住所证明"),
         "成立协会、成立商会", corp=("business_start",), servers=("4",)),
    Item("医疗费用报销（异地就医零星报销）", "05", "南昌市医疗保障局", "city", 30, 20,
         ("医疗费用报销申请表", "医疗费用发票", HOSPITAL[0], ID_CARD[0], "本人银行账户"),
         "看病报销、医药费报销、异地就医报销", person=("health",), servers=("1",),
         faqs=(("报销要多久到账？", "审核通过后 20 个工作日内打入本人账户。"),),
         streamline=(2, 10, (HOSPITAL, ID_CARD))),
    Item("基本医疗保险参保登记", "20", "南昌市医疗保障局", "city", None, 1,
         ("参保登记表", ID_CARD[0]), "交医保、医保参保", person=("health", "social_security"),
         servers=("1", "2")),
    Item("门诊慢特病待遇认定", "07", "南昌市医疗保障局", "city", 20, 10,
         ("门诊慢特病申请表", "病历资料", "检查报告"),
         "慢性病认定、特殊病", person=("health",), servers=("1",)),
    Item("民办学校办学许可", "01", "南昌市教育局", "city", 90, 60,
         ("办学许可申请书", "学校章程", "资产证明", "校舍证明", "拟任校长资格证明"),
         "办学校、开学校", corp=("business_start",), servers=("4",)),
    Item("教师资格认定", "07", "南昌市教育局", "city", 30, 20,
         ("教师资格认定申请表", "学历证书", "普通话水平测试等级证书", "体检合格证明"),
         "教师资格证", person=("employment", "education"), servers=("1",)),
    Item("道路旅客运输经营许可", "01", "南昌市交通运输局", "city", 20, 10,
         ("道路旅客运输经营申请表", "车辆情况说明", "驾驶人员从业资格证", "安全生产管理制度"),
         "客运许可", corp=("business_operation",), servers=("2",)),
    Item("出租汽车驾驶员从业资格证核发", "01", "南昌市交通运输局", "city", 20, 5,
         ("从业资格申请表", "机动车驾驶证", "无犯罪记录证明"),
         "开出租、网约车司机证", person=("employment",), servers=("1",)),
    Item("建设项目环境影响报告表审批", "01", "南昌市生态环境局", "city", 30, 15,
         ("环评审批申请书", "环境影响报告表", "公众参与说明"),
         "环评", corp=("construction",), servers=("2",)),
    Item("排污许可", "01", "南昌市生态环境局", "city", 20, 10,
         ("排污许可证申请表", "自行监测方案", "生产工艺说明"),
         "排污证", corp=("business_operation",), servers=("2",)),
    Item("旅行社设立许可", "01", "南昌市文化广电新闻出版旅游局", "city", 20, 10,
         ("旅行社设立申请书", LICENCE[0], "经营场所证明", "质量保证金存缴证明"),
         "开旅行社", corp=("business_start",), servers=("2",)),
    Item("营业性演出许可", "01", "南昌市文化广电新闻出版旅游局", "city", 3, 3,
         ("营业性演出申请表", "演出节目内容", "演员名单"), "办演唱会、演出审批",
         corp=("business_operation",), servers=("2",)),
    Item("危险化学品经营许可", "01", "南昌市应急管理局", "city", 30, 15,
         ("危险化学品经营许可申请书", LICENCE[0], "安全评价报告", "安全管理制度"),
         "危化品经营", corp=("business_operation",), servers=("2",)),
    Item("城市建筑垃圾处置核准", "01", "南昌市城市管理和综合执法局", "city", 20, 5,
         ("建筑垃圾处置申请表", "运输车辆清单", "消纳场地证明"), "渣土运输、装修垃圾",
         corp=("construction",), servers=("1", "2")),
    Item("设置大型户外广告审批", "01", "南昌市城市管理和综合执法局", "city", 20, 10,
         ("户外广告设置申请表", "设计效果图", "场地使用证明"), "做广告牌、户外招牌",
         corp=("business_operation",), servers=("1", "2")),
    Item("农药经营许可", "01", "南昌市农业农村局", "city", 20, 10,
         ("农药经营许可申请表", LICENCE[0], "经营场所证明", "专业技术人员证明"),
         "卖农药", corp=("business_operation",), servers=("1", "2")),
    Item("兽药经营许可", "01", "南昌市农业农村局", "city", 20, 10,
         ("兽药经营许可申请表", "质量管理制度", "经营场所证明"), "卖兽药",
         corp=("business_operation",), servers=("1", "2")),
    Item("不动产登记（首次登记）", "07", "南昌市不动产登记中心", "city", 30, 5,
         ("不动产登记申请书", "权属来源材料", "不动产权籍调查成果", ID_CARD[0]),
         "办房产证、新房办证", person=("housing",), corp=("business_operation",),
         servers=("1", "2"), fees=(("不动产登记费", "住宅每件 80 元", 8000),),
         result=("1", "不动产权证书", "111000000000131433001"),
         streamline=(2, 3, (ID_CARD,))),
    Item("不动产登记（转移登记）", "07", "南昌市不动产登记中心", "city", 30, 5,
         ("不动产登记申请书", DEED[0], "买卖合同", "完税凭证", ID_CARD[0]),
         "二手房过户、买房过户、房产过户", person=("housing",), servers=("1", "2"),
         fees=(("不动产登记费", "住宅每件 80 元", 8000),),
         result=("1", "不动产权证书", "111000000000131433001"),
         streamline=(2, 1, (DEED, ID_CARD))),
    Item("不动产登记（抵押登记）", "07", "南昌市不动产登记中心", "city", 30, 3,
         ("不动产登记申请书", DEED[0], "抵押合同", "主债权合同"),
         "房贷抵押、房子抵押", person=("housing",), servers=("1", "2")),
    Item("政府信息公开申请", "20", "南昌市数据管理局", "city", 20, 15,
         ("政府信息公开申请表",), "信息公开", person=("civil",), servers=("1", "2")),
    Item("残疾人证办理", "20", "南昌市残疾人联合会", "city", None, 15,
         ("残疾人证申请表", ID_CARD[0], "近期免冠照片", DISABILITY[0]),
         "办残疾证、残疾人证", person=("health",), servers=("1",),
         result=("1", "中华人民共和国残疾人证", ""), streamline=(2, 7, (DISABILITY, ID_CARD))),
    Item("法律援助申请", "20", "南昌市司法局", "city", 7, 7,
         ("法律援助申请表", "经济困难状况说明", "与所申请事项有关的材料"),
         "请律师、打官司没钱、免费律师", person=("civil",), servers=("1",)),
    Item("人力资源服务许可", "01", "南昌市人力资源和社会保障局", "city", 20, 10,
         ("人力资源服务许可申请表", LICENCE[0], "场所证明", "管理制度"),
         "开职业中介、开猎头公司", corp=("hiring",), servers=("2",)),
    Item("食品生产许可", "01", "南昌市市场监督管理局", "city", 20, 10,
         ("食品生产许可申请书", LICENCE[0], "生产场所平面图", "工艺流程图", "食品安全管理制度"),
         "开食品厂、食品加工", corp=("business_start",), servers=("2",)),
    Item("企业投资项目备案", "10", "南昌市行政审批局", "city", 3, 1,
         ("项目备案信息表",), "项目备案、投资备案", corp=("construction",), servers=("2",)),
    # ---- township rows (claimed by the county department for each 乡镇/街道) ----
    Item("城乡居民基本养老保险参保登记", "20", "人力资源和社会保障局", "township", None, 1,
         ("参保登记表", ID_CARD[0]), "交农保、城乡养老保险", person=("retirement",),
         servers=("1",), area="1"),
    Item("乡村建设规划许可", "01", "行政审批局", "township", 20, 10,
         ("乡村建设规划许可申请表", "宅基地使用证明", "建房设计图", ID_CARD[0]),
         "农村建房、盖房子", person=("housing",), servers=("1",), depth="3", area="1"),
    # ---- village rows (代办 at two villages of every county) ----
    Item("城乡居民基本医疗保险参保登记（代办）", "20", "人力资源和社会保障局", "village",
         None, 1, (ID_CARD[0],), "村里交医保、代办医保", person=("health",), servers=("1",),
         depth="2", area="1"),
    # ---- items the 一件事 bundles need (appended: earlier items keep their codes) ----
    Item("出生登记（户口申报）", "07", "南昌市公安局", "city", 5, 1,
         (BIRTH_CERT[0], HUKOU[0], "父母居民身份证"), "上户口、新生儿落户、报户口",
         person=("birth",), servers=("1",), streamline=(1, 1, (HUKOU,)),
         form=(("baby_name", "新生儿姓名", "text", True, ""),
               ("birth_date", "出生日期", "date", True, f"certificate:{BIRTH_CERT[2]}:birth_date"),
               ("mother", "母亲姓名", "text", False, f"certificate:{BIRTH_CERT[2]}:mother"))),
    Item("预防接种证办理", "20", "南昌市卫生健康委员会", "city", None, 1,
         ("预防接种证申请表", BIRTH_CERT[0]), "办疫苗本、接种证", person=("birth",),
         servers=("1",)),
    Item("义务教育入学登记", "20", "南昌市教育局", "city", None, 10,
         ("入学登记表", HUKOU[0], "预防接种证查验证明", "住房证明"), "上小学、入学报名、上初中",
         person=("education",), servers=("1",), streamline=(2, 10, (HUKOU,))),
    Item("居住证申领", "07", "南昌市公安局", "city", 15, 10,
         ("居住证申领登记表", ID_CARD[0], "住房证明"), "办居住证、外地户口", person=("civil",),
         servers=("1",)),
    Item("职工医保退休待遇核定", "07", "南昌市医疗保障局", "city", 20, 5,
         ("退休人员医保待遇核定表", ID_CARD[0], "退休审批表"), "退休医保、医保退休待遇",
         person=("retirement",), servers=("1",)),
    Item("居民死亡户口注销", "07", "南昌市公安局", "city", 5, 1,
         ("死亡医学证明", HUKOU[0], "申报人居民身份证"), "销户口、死亡销户", person=("death",),
         servers=("1",)),
    Item("丧葬补助金、抚恤金申领", "05", "人力资源和社会保障局", "county", 20, 5,
         ("丧葬补助金申领表", "死亡医学证明", "申报人居民身份证", "本人银行账户"),
         "丧葬费、抚恤金", person=("death",), servers=("1",)),
    Item("公章刻制备案", "07", "南昌市公安局", "city", 3, 1,
         ("印章刻制申请表", LICENCE[0], "法定代表人居民身份证"), "刻章、刻公章",
         corp=("business_start",), servers=("2",)),
    Item("单位参保登记", "20", "人力资源和社会保障局", "county", None, 1,
         ("社会保险登记表", LICENCE[0], "法定代表人居民身份证"), "单位社保开户、员工参保",
         corp=("hiring",), servers=("2",)),
    Item("单位社会保险注销登记", "20", "人力资源和社会保障局", "county", None, 3,
         ("社会保险注销申请表", LICENCE[0], "清算报告"), "社保销户", corp=("business_exit",),
         servers=("2",)),
    Item("企业注销登记", "07", "市场监督管理局", "county", 20, 3,
         ("注销登记申请书", "清算报告", LICENCE[0], "清税证明"), "公司注销、关公司",
         corp=("business_exit",), servers=("2",)),
    Item("公章缴销", "07", "南昌市公安局", "city", 3, 1,
         ("印章缴销申请表", LICENCE[0]), "印章注销、缴销公章", corp=("business_exit",),
         servers=("2",)),
]  # fmt: skip

SYNONYMS = {
    "开饭店": "开餐馆 食品经营",
    "开公司": "营业执照 企业设立",
    "生孩子": "出生医学证明",
    "领结婚证": "结婚登记",
    "看病报销": "医疗费用报销",
    "买房": "不动产登记 转移登记",
    "盖房": "乡村建设规划许可 建设工程规划许可",
    "领养老金": "养老保险待遇申领",
}
LEVEL_DIGIT = {"city": "3", "county": "4", "township": "5", "village": "6"}
USE_LEVEL = {"city": "3", "county": "4", "township": "5", "village": "6"}


def _material(
    spec: Any, order: int, *, streamlined: bool, reusable: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    name = spec[0] if isinstance(spec, tuple) else spec
    row: dict[str, Any] = {"material_name": name, "order_num": order, "material_format": "3"}
    if streamlined and name in reusable:
        source, code = reusable[name]
        row["source_type"] = source
        row["source_explain"] = "通过电子证照库自动调取" if source == "4" else "通过数据共享获取"
        if source == "4":
            row["source_certificate_type_code"] = code
        else:
            row["source_data_resource_code"] = code
    else:
        row["source_type"] = "1" if name not in {"营业执照", "居民身份证"} else "2"
    return row


def _steps(count: int) -> list[dict[str, Any]]:
    plan = [
        ("受理", "window_clerk", 1),
        ("审查", "reviewer", 3),
        ("现场核查", "reviewer", 3),
        ("决定", "approver", 2),
        ("制证送达", "window_clerk", 1),
    ]
    if count <= 1:
        return [{"name": "受理并办结", "role": "window_clerk", "limit_days": 0}]
    chosen = [plan[0], plan[1], plan[3], plan[4], plan[2]][:count]
    order = {name: index for index, (name, _r, _d) in enumerate(plan)}
    chosen.sort(key=lambda step: order[step[0]])
    return [{"name": n, "role": r, "limit_days": d} for n, r, d in chosen]


def _content(item: Item, *, streamlined: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields and child rows of an item, before or after it was streamlined."""
    promise = item.promise
    steps = 4 if (item.promise or 0) > 0 else 1
    if item.streamline is not None:
        steps = item.streamline[0] + 1  # the baseline had one more step
        if streamlined:
            steps, promise = item.streamline[0], item.streamline[1]
    reusable = {m[0]: (m[1], m[2]) for m in item.streamline[2]} if item.streamline else {}
    fields: dict[str, Any] = {
        "task_name": item.name,
        "task_type": item.task_type,
        "use_level": USE_LEVEL[item.level],
        "server_type": list(item.servers),
        "aliases": item.aliases,
        "anticipate_day": item.anticipate,
        "promise_day": promise,
        "project_type": "1" if promise == 0 else "2",
        "online_handle_depth": item.depth,
        "handle_area": item.area,
        "is_online": item.depth != "1",
        "is_fee": bool(item.fees),
        "fee_basis": "《行政事业性收费项目目录》" if item.fees else "",
        "limit_scene_num": 0 if item.depth == "4" else 1,
        "user_topic_type": list(item.person),
        "corp_topic_type": list(item.corp),
        "result_type": item.result[0],
        "result_name": item.result[1],
        "result_certificate_type_code": item.result[2],
        "accept_condition": f"符合《{item.name}》办理条件，申请材料齐全、符合法定形式。",
        "transact_time": "工作日 上午 9:00-12:00，下午 13:30-17:00（每周六上午延时服务）",
        "link_way": "12345 政务服务便民热线",
        "supervise_way": "12345 热线；好差评评价",
        "is_schedule": True,
        "is_pay_online": bool(item.fees),
        "is_express": item.result[0] == "1",
        "handle_flow": "网上或窗口提交申请 → 受理 → 审查 → 决定 → 送达",
        **item.extra,
    }
    if item.anticipate is None:
        fields["anticipate_explain"] = "公共服务事项，无法定时限"
    children: dict[str, Any] = {
        "handling_items": [
            {"task_handle_item": f"{i + 1:02d}", "name": name}
            for i, name in enumerate(item.situations)
        ],
        "materials": [
            _material(spec, i, streamlined=streamlined, reusable=reusable)
            for i, spec in enumerate(item.materials)
        ],
        "fees": [{"fee_name": n, "fee_stand": s, "amount_fen": f} for n, s, f in item.fees],
        "steps": _steps(steps),
        "questions": [{"question": q, "answer": a} for q, a in item.faqs],
        "form_fields": [
            {"key": k, "label": label, "field_type": kind, "required": required, "prefill": src}
            for k, label, kind, required, src in item.form
        ],
    }
    if item.name == "酒类商品零售许可":
        children["form_fields"][0]["choices"] = ["白酒", "啤酒", "葡萄酒", "黄酒"]
    return fields, children


def _catalog_item(index: int, item: Item) -> CatalogItem:
    code = f"{item.task_type}{index + 1:04d}{1:03d}000"
    existing = CatalogItem.objects.filter(catalog_code=code).first()
    return existing or actions.create_catalog_item(
        actor=SYSTEM,
        catalog_code=code,
        name=item.name,
        task_type=item.task_type,
        competent_department=item.owner if item.level == "city" else "",
    )


def _placements(item: Item, counties: list[Region]) -> Iterator[tuple[Department, Region, str]]:
    """(department, region, task-code suffix) for every row implementing the item."""
    if item.level == "city":
        department = Department.objects.get(name=item.owner)
        yield department, department.region, "01"
        return
    for county in counties:
        department = Department.objects.get(name=f"{county.name}{item.owner}")
        if item.level == "county":
            yield department, county, "01"
        elif item.level == "township":
            for township in Region.objects.filter(parent=county).order_by("code"):
                yield department, township, township.code[6:9]
        else:
            townships = Region.objects.filter(parent=county).order_by("code")[:2]
            for township in townships:
                village = Region.objects.filter(parent=township).order_by("code").first()
                if village is not None:
                    yield department, village, village.code[7:9] + village.code[10:12]


def _address(department: Department, region: Region) -> str:
    if region.level == RegionLevel.VILLAGE:
        return f"{region.name}便民服务站"
    if region.level == RegionLevel.TOWNSHIP:
        return f"{region.name}便民服务中心"
    return f"{department.region.name}政务服务中心 {department.name}窗口"


def _publish(version: TaskVersion) -> TaskVersion:
    actions.submit_version(actor=SYSTEM, version=version)
    actions.approve_version(actor=SYSTEM, version=version)
    return actions.publish_version(actor=SYSTEM, version=version)


def load(counties: list[Region]) -> dict[str, int]:
    """Create, publish, baseline and streamline the demo catalogue; idempotent."""
    created = 0
    for index, item in enumerate(ITEMS):
        catalog = _catalog_item(index, item)
        fields, children = _content(item, streamlined=False)
        for department, region, suffix in _placements(item, counties):
            code = f"{department.uscc}{LEVEL_DIGIT[item.level]}{catalog.catalog_code}{suffix}"
            if Task.objects.filter(task_code=code).exists():
                continue
            row_fields = fields | {"transact_addr": _address(department, region)}
            version = actions.create_task(
                actor=SYSTEM,
                catalog_item=catalog,
                department=department,
                region=region,
                task_code=code,
                fields=row_fields,
                children=children,
            )
            _publish(version)
            created += 1
    if not BaselineSnapshot.objects.filter(name=BASELINE_NAME).exists():
        actions.take_baseline(
            actor=SYSTEM, name=BASELINE_NAME, note="“一网通办”改革前的事项清单（演示数据）"
        )
    streamlined = 0
    for index, item in enumerate(ITEMS):
        if item.streamline is None:
            continue
        fields, children = _content(item, streamlined=True)
        catalog = CatalogItem.objects.get(catalog_code=f"{item.task_type}{index + 1:04d}001000")
        for task in Task.objects.filter(catalog_item=catalog).select_related("current_version"):
            current = task.current_version
            if current is None or current.version > 1:
                continue
            draft = actions.new_draft_version(actor=SYSTEM, task=task)
            row_fields = fields | {"transact_addr": current.transact_addr}
            actions.update_draft(actor=SYSTEM, version=draft, fields=row_fields, children=children)
            _publish(draft)
            streamlined += 1
    for term, words in SYNONYMS.items():
        if not Synonym.objects.filter(term=term).exists():
            actions.set_synonym(actor=SYSTEM, term=term, words=words)
    return {"created": created, "streamlined": streamlined}
