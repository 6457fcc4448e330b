"""Closed vocabularies and sane ranges shared by entities, policy and transaction metadata.

A coded value outside its vocabulary is an error at its line with a "did you mean"
(docs/ledger-conventions.md). Vocabularies that belong to one entity model live beside it
(``fupin.entities.STAGES``, ``fupin.assets.RIGHTS``); the ones here are read by several.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Expense categories (the second component of ``Expenses:<Category>:…``), conventions §1:
#: uses, the negative list (B20/B25), 形象工程 categories (K4) and the accounts of asset
#: income (B39), upkeep and depreciation. A county adds its own by naming them in a policy
#: list (``industry-categories "Industry Agriculture"``).
CATEGORIES = (
    "Industry",
    "Infrastructure",
    "Health",
    "Education",
    "Employment",
    "Housing",
    "Other",
    "ManagementFee",
    "Benefit",
    "Insurance",
    "Finance",  # 小额信贷贴息、风险补偿金 (issue 15: Expenses:Finance:LoanInterestSubsidy)
    "IncomeDistribution",
    "Upkeep",
    "Depreciation",
    "BasicOperating",
    "Vehicle",
    "Telecom",
    "Building",
    "Bonus",
    "Welfare",
    "DebtRepayment",
    "Advance",
    "LossCover",
    "LargeInfrastructure",
    "Landscape",
    "Archway",
    "Facade",
    "Reception",
    "Hospitality",
    "Meals",
    "Travel",
    "Meeting",
    "Promotion",
)
#: Policy keys whose values are expense categories (each extends :data:`CATEGORIES`).
CATEGORY_KEYS = (
    "industry-categories",
    "negative-categories",
    "no-project-categories",
    "household-categories",
    "asset-forming-categories",
    "image-project-categories",
    "asset-income-negative-categories",
    "mgmt-fee-category",
)

#: Sources of a fund's money (``Income:Fund:<FUND>:<Source>``, fund ``shares``, asset
#: ``funding``), conventions §1: levels of government for 衔接资金, contributors for a
#: special fund, and the other channels of DOMAIN A. A fund's own ``shares`` may add more.
SOURCES = (
    "Central",
    "Provincial",
    "Municipal",
    "County",
    "Township",
    "Government",
    "Raised",
    "Donation",
    "EastWest",
    "Paired",
    "Bond",
    "Integrated",
    "Collective",
    "SelfRaised",
    "Interest",  # 利息收入
    "Recovered",  # 收回资金
    "Refund",  # 退回资金
    "Other",
)

#: ``payment:`` on a project payment (B33/B35, conventions §3).
PAYMENT_KINDS = ("prepayment", "progress", "final", "deposit")
#: ``payee_type:`` on a payment (K6: ``individual`` must be a household, worker or contractor).
PAYEE_TYPES = ("individual", "company", "cooperative", "collective", "agency", "other")

#: Years a ledger may name (project and fund years, ``year:`` on a payment).
YEAR_MIN, YEAR_MAX = 1980, 2100
#: How far a year may lie from its entry's own date.
YEAR_SLACK = 10
#: The largest amount any field or posting may hold (yuan): far inside the 28 digits of
#: the Decimal context every rule computes in, with room for sums of a million of them.
MAX_AMOUNT = Decimal(10) ** 15

#: ``period:`` on a recurring payment (K2): a year, month, quarter, half-year or school
#: term (``2022``, ``2022-03``, ``2022-Q1``, ``2022-H2``, ``2021春季``/``2021秋季``).
PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q[1-4]|H[12])|-?(?:春季|秋季|上半年|下半年))?$"
)
