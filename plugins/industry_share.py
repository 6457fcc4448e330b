"""B02/B03/B08/B09: the industry share of fiscal poverty funds, per budget year and per batch.

``industry share = Σ expenses in an industry category / Σ all expenses`` of the funds whose
family is in ``fiscal-families``, grouped by the fund's budget year. The threshold is
``industry-share-min`` in force on 31 December of that year: 50% by default ([seed
002_614e7ab1822f3d29.txt] "50%以上"), 55% for 2022 (B08) and 60% from 2023 (B09, "力争",
so a county may set ``industry-share-severity`` to ``warning``). ``industry-share-strict``
turns ≥ into >. A fund with its own ``industry_share_min`` (a batch, B03: 安阳县 "70%以上")
is checked alone as well. The ratio is an exact Decimal quotient; shown to 0.01%, half up
(more decimals when that would hide a breach), with the money short rounded up to the cent.

The measure itself is :mod:`fupin.shares`, which the notices and Fava pages read too. A
year's finding lands on the policy entry that set its minimum, else on the first fund the
share counts; a batch's on its fund.
"""

from __future__ import annotations

from collections.abc import Iterator

from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import IndustryShareError
from fupin.money import fmt_money
from fupin.shares import Share, budget_years, fund_share, year_share

TITLE = "产业发展资金占比"


def industry_share(book: Book) -> Iterator[Item]:
    """Per budget year over fiscal funds, and per fund that sets its own minimum."""
    shares: list[Share] = []
    for year in budget_years(book):
        share = year_share(book, year, book.as_of)
        if share is not None:
            shares.append(share)
    for fund in sorted(book.funds.values(), key=lambda f: f.id):
        share = fund_share(book, fund, book.as_of)
        if share is not None:
            shares.append(share)
    for share in shares:
        if share.total:
            yield from share_check(share)


def share_check(share: Share) -> Iterator[Item]:
    """The measure (and, below its threshold, the finding) of one share."""
    inputs = f"产业 {fmt_money(share.industry)} / 合计 {fmt_money(share.total)} CNY"
    if not share.ok:
        inputs += f", 差 {fmt_money(share.shortfall)} CNY"
    yield from check(
        IndustryShareError,
        rule=share.rule,
        title=TITLE,
        scope=share.scope,
        value=share.value,
        op=share.op,
        threshold=share.threshold,
        severity=share.severity,
        unit="pct",
        policy_key=share.policy_key,
        entity=share.entity,
        label=share.label,
        inputs=inputs,
        entry=share.anchor,
        year=share.year,
        note=share.note,
    )


RULE = Rule(
    ("B02", "B03"),
    "产业发展资金占比",
    "seed 002_614e7ab1822f3d29.txt (≥50%, 安阳县 batch ≥70%); N-SHARE2022 (55%); N-SHARE2023 (60%)",
    industry_share,
)
