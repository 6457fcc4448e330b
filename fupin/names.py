"""Chinese names of the conventions' codes, for what users read (one table, every report).

A ledger's own ``name:`` on an ``open`` wins over these (``Book.account_name``).
"""

from __future__ import annotations

#: ``Expenses:<Category>`` (docs/ledger-conventions.md §1)
CATEGORY_NAMES = {
    "Industry": "产业发展",
    "Infrastructure": "基础设施",
    "Health": "卫生健康",
    "Education": "教育",
    "Employment": "就业",
    "Housing": "住房安全",
    "Other": "其他",
    "ManagementFee": "项目管理费",
    "Benefit": "到户补助",
    "Insurance": "防贫保险",
}
#: ``Income:Fund:<FUND>:<Source>``: a name for every source of :data:`fupin.vocab.SOURCES` (a
#: public notice prints it as the level, never the code)
SOURCE_NAMES = {
    "Central": "中央",
    "Provincial": "省级",
    "Municipal": "市级",
    "County": "县级",
    "Government": "政府出资",
    "Raised": "募集资金",
    "Donation": "社会捐赠",
    "Township": "乡级",
    "EastWest": "东西部协作",
    "Paired": "定点/对口帮扶",
    "Bond": "地方政府债券",
    "Integrated": "统筹整合",
    "Collective": "村集体",
    "SelfRaised": "自筹",
    "Interest": "利息收入",
    "Recovered": "收回资金",
    "Refund": "退回资金",
    "Other": "其他",
}
#: ``custom "fund"`` ``family``
FAMILY_NAMES = {
    "xianjie": "衔接推进乡村振兴补助资金",
    "special_poverty": "财政专项扶贫资金",
    "integrated": "统筹整合涉农资金",
    "county": "县级专项扶贫资金",
    "special_fund": "专项扶贫基金",
    "bond": "地方政府债券",
    "east_west": "东西部协作资金",
    "paired": "定点/对口帮扶资金",
    "donation": "社会捐赠",
}
#: ``custom "notice"`` ``channel``
CHANNEL_NAMES = {"board": "公示栏", "website": "政府网站", "wechat": "微信群", "broadcast": "广播"}
#: ``custom "notice"`` ``level``
NOTICE_LEVEL_NAMES = {"county": "县级", "township": "乡镇", "village": "村级", "site": "项目现场"}
#: ``custom "notice"`` ``type``
NOTICE_TYPE_NAMES = {
    "fund_allocation": "资金分配结果公告",
    "project_plan": "项目公示",
    "project_result": "项目实施结果公告",
    "site_sign": "项目公示牌",
    "income_plan": "收益分配方案公示",
    "income_result": "收益分配结果公示",
    "beneficiaries": "到户项目受益名单",
    "monitoring": "防返贫监测对象识别公示",  # issue 15
    "monitoring_exit": "监测对象风险消除公示",  # issue 15
}
