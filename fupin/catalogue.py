"""The audit red flags' catalogue (DOMAIN K): each finding's Chinese name and published figures.

Each red flag guards against a finding the National Audit Office (审计署) or the discipline
inspectors published county after county. The rule modules (``plugins/flags_*.py``) carry
this text as their ``source``; ``fupin flags``, ``fupin compliance`` and the Fava pages read
it from here.
"""

from __future__ import annotations

from typing import NamedTuple


class Catalogued(NamedTuple):
    """One audit finding: its Chinese name, what the rule checks, and the published figures."""

    name: str
    title: str
    source: str


CATALOGUE: dict[str, Catalogued] = {
    "K1": Catalogued(
        "资金闲置",
        "资金闲置沉淀 (FIFO 账龄)",
        "审计署2016: 抽查50.13亿元中8.43亿元闲置1年以上, 最长超过15年; 2017公告: 84县19.54亿元, "
        "6.23亿元超2年; 2019: 41地8.9亿元闲置1年以上 (DOMAIN K1)",
    ),
    "K2": Catalogued(
        "虚报冒领",
        "重复凭证/发票与重复领取",
        "审计署2016: 29县59单位28人虚报冒领5,573.13万元; 榆中县村支书虚开发票116.17万元 "
        "(DOMAIN K2)",
    ),
    "K3": Catalogued(
        "挤占挪用",
        "专款出借或转入单位经费账户",
        "审计署2016: 6,091.35万元用于平衡预算/市政/宾馆, 2,194.78万元用于经费/福利; "
        "2019: 46县22.1亿元用于房地产/城建 (DOMAIN K3)",
    ),
    "K4": Catalogued(
        "形象工程",
        "形象工程/楼堂馆所项目入库",
        "同心县391万元建17座牌楼, 其中扶贫资金114万元; 2018: 5县540万元+用于景观修建、"
        "外墙粉饰 (DOMAIN K4)",
    ),
    "K5": Catalogued(
        "违规列支",
        "接待/差旅/会议/推广支出与违规收费",
        "5县从扶贫管理费列支吃喝旅游53.36万元; 7单位项目推广费1,249.36万元; 2018: 12市县"
        "超标准接待1,700万元+ (DOMAIN K5)",
    ),
    "K6": Catalogued(
        "个人侵占",
        "向非登记对象个人付款",
        "2017公告: 86县15.39亿元含个人账户管理与虚列支出; 2013: 28名干部侵占1,595.71万元 "
        "(DOMAIN K6)",
    ),
    "K7": Catalogued(
        "资产闲置",
        "项目资产闲置/无收益/无人管护",
        "2017公告: 53县189个项目1.41亿元改作他用或废弃; 2019: 69县287个项目3.75亿元 (DOMAIN K7)",
    ),
    "K8": Catalogued(
        "利益联结弱",
        "产业项目无联农带农机制或带贫不足",
        "2018: 37县10.92亿元投向无利益联结的企业/合作社/大户; 2017公告: 24县56个项目"
        "5,643.68万元 (DOMAIN K8)",
    ),
    "K9": Catalogued(
        "平均主义",
        "产业资金直接发放/平均分配",
        "2018: 13县3.21亿元产业资金直接发放到户; 2017公告: 32县81个项目1.33亿元平均主义; "
        "同心县砚台村14.6万元平分到户 (DOMAIN K9)",
    ),
    "K10": Catalogued(
        "公告公示未落实",
        "公告公示未落实 (两个一律)",
        "2017公告: 41县568个项目未按规定公告公示 (DOMAIN K10)",
    ),
    "K11": Catalogued(
        "规避招标",
        "未招标先付款与拆分合同",
        "2017公告: 86县15.39亿元政府采购/招投标违规、施工管理不规范 (DOMAIN K11)",
    ),
    "K12": Catalogued(
        "对象不精准",
        "对象不精准/优亲厚友",
        "寻甸县1,339笔贴息贷款仅711笔到建档立卡户; 2017公告: 105县11.34万条信息不准确 (DOMAIN K12)",
    ),
    "K13": Catalogued(
        "应享未享",
        "应享未享",
        "2017公告: 43县2.99万名学生未享受助学金; 2018: 50万余户(人)未享受2.86亿元 (DOMAIN K13)",
    ),
    "K14": Catalogued(  # issue 15: checked by L01–L03 (小额信贷)
        "扶贫贷款/贴息违规",
        "小额信贷超额度、超期限、对象不符或超比例贴息",
        "2017公告: 58县22.12亿元扶贫贷款和贴息资金未按规定使用 (DOMAIN K14)",
    ),
    "K15": Catalogued(
        "收益未分配",
        "资产收益未及时分配",
        "安居村120千瓦光伏电站收益未建章立制、未发放; 泸水市光伏收益使用7类问题 (DOMAIN K15)",
    ),
    "K16": Catalogued(
        "资产未登记或处置不规范",
        "扶贫资产未登记/流失/处置不规范",
        "纪检监督平台预警: 闲置、浪费、流失、损毁、权属不清 (乌恰, 凤凰) (DOMAIN K16)",
    ),
    "K17": Catalogued(
        "有租无合同",
        "租金无合同或合同到期后收租",
        "纪检监督平台三资预警: 有租无合同、合同超期; 宁海国资'应收未收、应招未招' (DOMAIN K17)",
    ),
    "K19": Catalogued(
        "拨付滞留",
        "资金拨付滞留 (流速)",
        "福州流速检查; 直达资金直接支付到最终收款人, 不经单位账户中转 (DOMAIN K19)",
    ),
}


#: Findings of other rule families that are the same audit finding, shown by ``fupin flags``
#: under that K row (their rules, not these, check them): 应享未享 is issue 6's C09,
#: 虚列支出 and roll ≠ bank debit are issue 4's R01/R02, eligibility C06, a period paid twice
#: C11 (K2), notices B30/B34, asset registration and disposal B37/B38, loans L01–L03 (K14),
#: asset-income cash E02 (K9).
ALIASES: dict[str, str] = {
    "C09": "K13",
    "C06": "K12",
    "R01": "K6",
    "R02": "K2",
    "C11": "K2",  # a period paid twice (补发 overlapping what was paid)
    "B30": "K10",
    "B34": "K10",
    "B37": "K16",
    "B38": "K16",
    # issue 15: 小额信贷 (L01–L03), asset income handed out without a labour basis (E02)
    "L01": "K14",
    "L02": "K14",
    "L03": "K14",
    "E02": "K9",
}
