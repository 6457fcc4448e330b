"""The title of a posted notice: its own ``title``, else the default from its subject.

One function, so that a finding about a notice names it by the title the village saw
(``B31 error: 公示期 7 天 < 10 天 … — 关于青山村2021年肉牛养殖圈舍建设项目的公示 [notice
N-2021-P001-V]``) and the rendered notice prints the same words. The defaults follow the
layouts of DOMAIN F.4 (``reports/notice_context.py`` prints them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fupin.names import NOTICE_TYPE_NAMES as TYPE_NAMES

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.entities import Notice


def without_place(name: str, place: str) -> str:
    """A project name without the place a title already gives (青山村肉牛… → 肉牛…)."""
    return name[len(place) :] if place and name.startswith(place) and name != place else name


def default_title(book: Book, notice: Notice) -> str:
    """The title a notice of this type and subject carries when the entry gives none."""
    kind, subject = notice.type, notice.subject
    fund = book.funds.get(subject)
    if kind == "fund_allocation" and fund is not None:
        return f"{fund.name}分配结果公告"
    if kind == "beneficiaries" and fund is not None:
        year = notice.year or notice.start.year
        what = "公示" if notice.phase == "plan" else "公告"
        return f"{notice.village or notice.township or ''}{year}年{fund.name}到户补助名单{what}"
    project = book.projects.get(subject)
    if project is not None:
        if kind == "project_plan":
            name = without_place(project.name, project.village)
            return f"关于{project.village}{project.year}年{name}的公示"
        if kind == "project_result":
            return f"{project.name}实施结果公告"
        if kind == "site_sign":
            return f"{project.name}公示牌"
        if kind == "beneficiaries":
            return f"{project.name}受益农户名单公示"
    if kind in ("income_plan", "income_result"):
        from fupin.assets import Asset, IncomePlan

        plan = book.by_id(IncomePlan).get(subject)
        asset = book.by_id(Asset).get(plan.asset) if plan else None
        if asset is not None:
            what = "方案" if kind == "income_plan" else "结果"
            return f"{asset.village}{without_place(asset.name, asset.village)}收益分配{what}公示"
    if kind == "monitoring":
        return f"{notice.village or ''}{notice.start.year}年防止返贫监测对象识别公示"
    if kind == "monitoring_exit":
        return f"{notice.village or ''}{notice.start.year}年防止返贫监测对象风险消除公示"
    return f"{TYPE_NAMES.get(kind, kind)} {subject}"


def notice_title(book: Book, notice: Notice) -> str:
    """The notice's title as posted."""
    return notice.title or default_title(book, notice)


def notice_label(book: Book, notice: Notice) -> str:
    """``<title> [notice <id>]``: how a finding names a notice."""
    return f"{notice_title(book, notice)} [notice {notice.id}]"
