"""The three products on sale: names, clauses, exclusions, cooling-off days and age limits.

Wording matters here: the sales pages must show clauses, exclusions (责任免除) and the 犹豫期,
so the texts live in one place that both the pages and the API read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    cover: str


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    tagline: str
    cooling_off_days: int
    has_health_declaration: bool
    min_age: int
    max_age: int
    plans: tuple[Plan, ...]
    clauses: tuple[str, ...]
    exclusions: tuple[str, ...]

    @property
    def default_plan(self) -> str:
        return self.plans[0].code

    def plan(self, code: str) -> Plan | None:
        return next((p for p in self.plans if p.code == code), None)


_COMMON_EXCLUSIONS = (
    "投保人对被保险人的故意杀害、故意伤害",
    "被保险人故意犯罪或者抗拒依法采取的刑事强制措施",
    "战争、军事冲突、暴乱或武装叛乱",
    "核爆炸、核辐射或核污染",
)

PRODUCTS: dict[str, Product] = {
    "travel": Product(
        code="travel",
        name="短期旅行险",
        tagline="境内外出行意外与医疗保障，按行程投保",
        cooling_off_days=1,
        has_health_declaration=False,
        min_age=0,
        max_age=80,
        plans=(
            Plan("basic", "基础版", "意外身故/伤残 10万元，意外医疗 1万元"),
            Plan("standard", "标准版", "意外身故/伤残 30万元，意外医疗 5万元，行李延误"),
            Plan("premium", "尊享版", "意外身故/伤残 50万元，意外医疗 20万元，紧急救援"),
        ),
        clauses=("保险期间：1至30天，以保单载明为准", "保障地区：以所选行程为准"),
        exclusions=(*_COMMON_EXCLUSIONS, "被保险人参加潜水、跳伞、攀岩等高风险运动"),
    ),
    "medical": Product(
        code="medical",
        name="百万医疗险",
        tagline="一般医疗与重大疾病医疗，最高保额 600 万元",
        cooling_off_days=15,
        has_health_declaration=True,
        min_age=0,
        max_age=65,
        plans=(
            Plan("basic", "基础版", "一般医疗 200万元，年免赔额 1万元"),
            Plan("standard", "标准版", "一般医疗 300万元，重疾医疗 300万元"),
            Plan("premium", "尊享版", "一般医疗 300万元，重疾医疗 300万元，质子重离子"),
        ),
        clauses=("保险期间：1年", "等待期：30天（意外导致的除外）", "续保：不保证续保"),
        exclusions=(
            *_COMMON_EXCLUSIONS,
            "投保前已患疾病或已有症状（既往症）",
            "等待期内发生的疾病",
            "美容、整形、非必要的检查",
        ),
    ),
    "accident": Product(
        code="accident",
        name="意外险",
        tagline="意外身故、伤残与意外医疗，一年期",
        cooling_off_days=10,
        has_health_declaration=False,
        min_age=18,
        max_age=65,
        plans=(
            Plan("basic", "基础版", "意外身故/伤残 20万元"),
            Plan("standard", "标准版", "意外身故/伤残 50万元，意外医疗 2万元"),
            Plan("premium", "尊享版", "意外身故/伤残 100万元，意外医疗 5万元，住院津贴"),
        ),
        clauses=("保险期间：1年", "职业类别：1至4类"),
        exclusions=(*_COMMON_EXCLUSIONS, "醉酒、吸食或注射毒品", "酒后驾驶、无证驾驶"),
    ),
}


def find_product(code: str) -> Product | None:
    """The product with this code, or None (an unknown product is a 404, not a crash)."""
    return PRODUCTS.get(code)


# the complaint form's categories (code -> label): a fixed list, so the metric's label stays small
COMPLAINT_CATEGORIES = {
    "claims": "理赔", "payment": "支付扣款", "policy": "保单信息", "premium": "保费价格",
    "sales": "销售说明", "service": "客服服务", "other": "其他",
}
