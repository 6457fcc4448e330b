"""The village notices of 防返贫监测 (识别公示, 风险消除公示): who, which group, which category.

A notice of type ``monitoring`` or ``monitoring_exit`` names its cases in ``subject``
(:mod:`fupin.monitoring`). It lists each household by its head's name and 村民小组 from the
register, the monitoring category and the household size, with the household's check code;
never a cause, a health condition, an income, an ID number, a phone or an account [N-MON,
DOMAIN F.3]. The title is :func:`fupin.notice_titles.notice_title`, as every finding names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fupin.reports import notice_context as nc
from fupin.reports.notice_privacy import check_code

from fupin.households import CATEGORIES
from fupin.monitoring import monitoring_register, notice_cases
from fupin.notice_titles import notice_title

if TYPE_CHECKING:
    from fupin.entities import Notice


def monitoring_notice(ctx: nc.Context, notice: Notice) -> nc.NoticeDoc:
    """识别公示 / 风险消除公示 of the cases a monitoring notice names."""
    where = f"notice {notice.id}"
    cases = monitoring_register(ctx.book).cases
    if ctx.register is None:
        raise nc.MissingField(where, "household-register", "农户信息库 (户主姓名)")
    if not ctx.secret:
        raise nc.MissingField(where, "secret", "县级校验码密钥 (--secret-file)")
    rows = []
    township = village = ""
    for seq, ident in enumerate(notice_cases(notice), 1):
        case = cases.get(ident)
        if case is None:
            raise nc.not_found(ctx, where, "subject", "monitoring", ident, f"没有监测对象 {ident}")
        household = ctx.register.households.get(case.case.household)
        if household is None:
            raise nc.MissingField(
                f"household {case.case.household}", "head_name", "农户信息库中没有此户"
            )
        township, village = township or household.township, village or household.village
        rows.append(
            {
                "seq": seq,
                "name": household.head_name,
                "group": household.group,
                "category": CATEGORIES[case.case.category],
                "persons": household.size,
                "code": check_code(ctx.secret, notice.id, household.id),
            }
        )
    header = nc.notice_header(
        ctx, notice, title=notice_title(ctx.book, notice), township=township, village=village
    )
    body = {"rows": rows, "exit": notice.type == "monitoring_exit", "count": len(rows)}
    return nc.NoticeDoc(header, "monitoring.html", body, rows=len(rows) + 8)
