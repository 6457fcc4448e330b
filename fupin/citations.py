"""Which document each rule rests on: citation codes to titles and 文号 (DOMAIN.md §0, B, K).

Rules cite their sources with short codes (``Rule.source`` in ``fupin.plugins``, comments in
``fupin.policy``): ``"N-FUND2021 (负面清单)"``, ``"seed 002 (两个一律)"``,
``"N-NOTICE2017 §4 (≥10天, 长期公开)"``, ``"… (DOMAIN K1)"``. A reader — a village clerk
under a notice's 依据 line, an auditor in Fava or the CLI — needs the document instead:
``《中央财政衔接推进乡村振兴补助资金管理办法》（财农〔2021〕19号）``. This module holds the one
table from codes to documents and turns a whole ``source`` string into them::

    >>> format_source("N-FUND2017 art. 9 (管理费 ≤1%)")
    '《中央财政专项扶贫资金管理办法》（财农〔2017〕8号）第9条'

Titles and numbers are those DOMAIN.md records; where it records no 文号, none is printed
(never guessed). Seed reports and local examples are named as what they are.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Citation(NamedTuple):
    """One document: its title (with 《》 when it is the document's own title), its 文号,
    where its text was found, and the part cited (``第9条``, ``第四部分``)."""

    title: str
    number: str | None = None
    url: str | None = None
    detail: str = ""


class UnknownCitation(KeyError):
    """A citation code with no document in :data:`DOCUMENTS`."""


_NAO = "审计署扶贫资金审计结果"
#: Citation code → document. Codes as the rules write them, without the part cited.
DOCUMENTS: dict[str, Citation] = {
    # national rules (DOMAIN §0)
    "N-FUND2017": Citation(
        "《中央财政专项扶贫资金管理办法》",
        "财农〔2017〕8号",
        "http://m.law-lib.com/law/law_view.asp?id=559965&page=2",
    ),
    "N-FUND2021": Citation(
        "《中央财政衔接推进乡村振兴补助资金管理办法》",
        "财农〔2021〕19号",
        "https://www.huoqiu.gov.cn/public/6601261/36286826.html",
    ),
    "N-SHARE2022": Citation(
        "2022年衔接资金用于产业发展的比重不低于55%（《内蒙古日报》2022年5月23日报道）",
        None,
        "http://szb.northnews.cn/nmgrb/html/2022-05/23/content_36479_181342.htm",
    ),
    "N-SHARE2023": Citation(
        "2023年中央一号文件（衔接资金用于产业发展的比重力争提高到60%以上）",
        None,
        "http://www.handmsg.com/page/2024/0115/23459152.shtml",
    ),
    "N-ASSET2021": Citation(
        "《关于加强扶贫项目资产后续管理的指导意见》",
        "国办函〔2021〕51号",
        "http://en.qstheory.cn/2021-06/07/c_630284.htm",
    ),
    "N-NOTICE2017": Citation(
        "《关于完善扶贫资金项目公告公示制度的指导意见》",
        "国开办发〔2017〕50号",
        "http://lwstw.com/caijingzixun/sitmmug9me.html",
    ),
    "N-NOTICE-JY": Citation(
        "《济源市扶贫资金项目公告公示实施细则（试行）》（2018年）",
        None,
        "http://zt.www.jiyuan.gov.cn/2018/jyfp/zcwj/t370800.html",
    ),
    "N-LIB2018": Citation(
        "国务院扶贫办《关于完善县级脱贫攻坚项目库建设的指导意见》（2018年3月8日）",
        None,
        "https://fpb.zjw.cn/info-83752.html",
    ),
    "N-MON": Citation(
        "防止返贫监测对象识别和退出程序（县级公布文本）",
        None,
        "http://www.qinan.gov.cn/info/11792/1360362.htm",
    ),
    "N-PRIV2018": Citation(
        "国务院办公厅《2018年政务公开工作要点》",
        None,
        "http://trustsoft.com.cn/news/show-531.aspx",
    ),
    "N-12317": Citation(
        "12317扶贫监督举报电话",
        None,
        "http://sanjinzx.com/news/xinjinshang/2015/0503/13533.html",
    ),
    "N-ARI2017": Citation(
        "《关于做好财政支农资金支持资产收益扶贫工作的通知》",
        "财农〔2017〕52号",
        "http://solarenpv.com/news/show.php?itemid=3102",
    ),
    "N-PV": Citation(
        "《村级光伏扶贫电站收益分配管理办法》",
        "国开办发〔2017〕61号",
        "http://xxjdfw.com/content/173.html",
    ),
    "N-LOAN": Citation(
        "扶贫小额信贷政策（5万元以下、3年期以内、免担保免抵押、财政贴息）",
        None,
        "http://www.chidc.com.cn/OpennessContent/show/1576260.html",
    ),
    "建设工程质量保证金管理办法": Citation(
        "《建设工程质量保证金管理办法》",
        None,
        "http://m.qebk.com/falvzhishi/36f73482b6d9cc43e8ec949b4534de0f.html",
    ),
    # seed reports (local rules of the counties the project started from)
    "seed 000": Citation("包头市昆都仑区精准扶贫工作情况（2016—2017年）"),
    "seed 001": Citation("沂源县扶贫开发领导小组文件（2021年3月22日）"),
    "seed 002": Citation("安阳市巩固拓展脱贫攻坚成果工作文件（2021年）"),
    "seed 003": Citation("靖边县政协会议发言（吴泳宏，约2016年）"),
    "seed 004": Citation("洛阳市打赢脱贫攻坚战实施意见图解（约2016年）"),
    # local examples
    "预拨启动资金 local example": Citation(
        "地方结对帮扶资金管理办法（预拨启动资金不超过合同金额30%，地方示例）",
        None,
        "https://hbjcay.com/grassroots/25592/156769541",
    ),
    "004km.cn": Citation(
        "地方扶贫资产收益管理办法（收益使用负面清单，地方示例）",
        None,
        "http://004km.cn/a5/2cbb1ab3f912d7f0.html",
    ),
    # issue 17 (audit trail): the national rules on correcting books and on electronic
    # accounting archives (not in DOMAIN.md; no article cited where none was checked)
    "N-ACC1996": Citation("《会计基础工作规范》", "财会字〔1996〕19号"),
    "N-ARCH2015": Citation("《会计档案管理办法》", "财政部 国家档案局令第79号"),
    # DOMAIN sections that restate a rule of the documents above
    "DOMAIN D": Citation(
        "《关于完善县级脱贫攻坚项目库建设的指导意见》及地方报账制度（验收后报账）",
        None,
        "https://fpb.zjw.cn/info-83752.html",
    ),
    # audit findings the K rules guard against (DOMAIN K: figures as the NAO published them)
    "DOMAIN K1": Citation(f"{_NAO}（资金闲置沉淀，2016—2019年）"),
    "DOMAIN K2": Citation(f"{_NAO}（虚报冒领、骗取套取，2016—2018年）"),
    "DOMAIN K3": Citation(f"{_NAO}（挤占挪用，2016—2019年）"),
    "DOMAIN K4": Citation(f"{_NAO}（形象工程、景观修建，2014—2018年）"),
    "DOMAIN K5": Citation(f"{_NAO}（违规列支、超标准接待，2014—2018年）"),
    "DOMAIN K6": Citation(f"{_NAO}（个人账户管理、虚列支出、侵占，2013—2018年）"),
    "DOMAIN K7": Citation(f"{_NAO}（项目闲置、废弃、改作他用，2016—2019年）"),
    "DOMAIN K8": Citation(f"{_NAO}（利益联结机制不健全，2017—2018年）"),
    "DOMAIN K9": Citation(f"{_NAO}（产业资金直接发放、平均分配，2017—2018年）"),
    "DOMAIN K10": Citation(f"{_NAO}（公告公示未落实，2017年）"),
    "DOMAIN K11": Citation(f"{_NAO}（政府采购和招投标违规，2017年）"),
    "DOMAIN K12": Citation(f"{_NAO}（对象不精准，2016—2019年）"),
    "DOMAIN K13": Citation(f"{_NAO}（应享未享，2017—2018年）"),
    "DOMAIN K14": Citation(f"{_NAO}（扶贫贷款和贴息不合规，2017年）"),  # issue 15: L01–L03
    "DOMAIN K15": Citation("光伏扶贫电站收益分配自查与信访通报（地方示例）"),
    "DOMAIN K16": Citation("纪检监督平台扶贫资产预警（未登记、流失、处置不规范）"),
    "DOMAIN K17": Citation("纪检监督平台“三资”预警（有租无合同、合同超期）"),
    "DOMAIN K19": Citation("福州市资金流速检查；直达资金直接支付到最终收款人"),
    "DOMAIN K20": Citation(f"{_NAO}（提前脱贫、虚报脱贫数据，2017—2018年）"),  # issue 15: S01–S04
}
#: Codes that name the project's own design notes, not a document: never printed.
INTERNAL = frozenset({"DOMAIN L.4"})

_SEED = re.compile(r"seed (\d{3})")
_K_TAIL = re.compile(r"\(DOMAIN (K\d+)[a-z]?\)\s*$")
_K_LIST = re.compile(r"^DOMAIN ((?:K\d+[a-z]?(?:,\s*)?)+)")
_ART = re.compile(r"\bart\.\s*(\d+)")
_SECTION = re.compile(r"§\s*((?:\(\d+\))+|\d+)")
_REMARK = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_CN = "零一二三四五六七八九十"


def _cn(number: int) -> str:
    if number <= 10:
        return _CN[number]
    if number < 20:
        return "十" + _CN[number - 10]
    return _CN[number // 10] + "十" + (_CN[number % 10] if number % 10 else "")


def _detail(part: str) -> str:
    """``art. 9`` → ``第9条``; ``§4`` → ``第四部分``; ``§(2)(5)`` → ``第（二）（五）项``."""
    if m := _ART.search(part):
        return f"第{m.group(1)}条"
    if m := _SECTION.search(part):
        text = m.group(1)
        if text.startswith("("):
            items = "".join(f"（{_cn(int(n))}）" for n in re.findall(r"\d+", text))
            return f"第{items}项"
        return f"第{_cn(int(text))}部分"
    return ""


def _code(part: str) -> str:
    """The bare code of one cited part: remarks, articles and sections dropped."""
    part = part.strip()
    if m := _SEED.match(part):
        return f"seed {m.group(1)}"
    part = _ART.sub("", _SECTION.sub("", part)).strip()
    while _REMARK.search(part):
        part = _REMARK.sub("", part)
    return part.strip()


def cite(code: str) -> Citation:
    """The document behind one citation code (``"seed 002_…"``, ``"DOMAIN K1"``,
    ``"N-NOTICE2017 §4"``, ``"预拨启动资金 local example (30%)"``)."""
    bare = _code(code)
    if m := _K_TAIL.search(code.strip()):
        bare = f"DOMAIN {m.group(1)}"
    found = DOCUMENTS.get(bare)
    if found is None:
        raise UnknownCitation(code)
    return found._replace(detail=_detail(code))


def cites(source: str) -> list[Citation]:
    """Every document a rule's ``source`` string names, in order, each once.

    Parts are separated by ``;``. A source that ends in ``(DOMAIN K…)`` is one audit
    finding, whatever its text says before; ``DOMAIN K2c, K6b`` names two findings.
    """
    source = source.strip()
    if not source:
        return []
    if _K_TAIL.search(source):
        return [cite(source)]
    out: list[Citation] = []
    for part in (p.strip() for p in source.split(";")):
        if not part:
            continue
        if m := _K_LIST.match(part):
            codes = [f"DOMAIN {k}" for k in re.findall(r"K\d+", m.group(1))]
        elif part.startswith("L.") or _code(part) in INTERNAL:
            continue
        else:
            codes = [part]
        for code in codes:
            citation = cite(code)
            if citation not in out:
                out.append(citation)
    return out


def format_citation(citation: Citation) -> str:
    """``《…》（财农〔2021〕19号）第9条``: title, 文号 when known, the part cited."""
    text = citation.title
    if citation.number:
        text += f"（{citation.number}）"
    return text + citation.detail


def format_source(source: str, sep: str = "；") -> str:
    """A rule's whole ``source`` as documents, for a 依据 line."""
    return sep.join(format_citation(c) for c in cites(source))


__all__ = [
    "DOCUMENTS",
    "Citation",
    "UnknownCitation",
    "cite",
    "cites",
    "format_citation",
    "format_source",
]
