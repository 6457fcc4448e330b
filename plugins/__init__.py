"""fupin's Beancount plugin: every fund, project and asset rule in one pass.

Enable it in a ledger with::

    plugin "fupin.plugins"

It adds the assets' depreciation entries when the policy ``asset-depreciation`` is on
(:func:`fupin.plugins.assets.depreciation`), builds the typed book view once
(:func:`fupin.book.build_book`), runs every rule in :data:`RULES` over it, and returns the
entries (unchanged, or with that depreciation) with one Beancount error per
error-severity finding (file and line of the entry at fault). Warnings do not fail
``bean-check``; ``fupin check`` shows them. With the config string ``"warnings"``
(``plugin "fupin.plugins" "warnings"``) warnings are returned as errors too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fupin.plugins import (
    aggregates,  # issue 15: 统计指标 (S01–S04)
    asset_returns,  # issue 15: expected returns, payout basis (DOMAIN E.3, E.6)
    assets,  # issue 3: poverty assets (DOMAIN E)
    benefit_months,  # monthly amounts, 补发 × months (C12)
    benefits,  # issue 6: household benefits (DOMAIN C)
    budget,  # issue 15: county budget, departments (DOMAIN B04–B07)
    caps,
    deductible,  # issue 15: 住院起付线 (DOMAIN C.3)
    earmark,
    flags_assets,  # issue 7: audit red flags (DOMAIN K)
    flags_claims,
    flags_funds,
    flags_projects,
    fund_shares,
    industry_share,
    integrity,  # issue 12: references, vocabularies, currencies, personal data
    measures,  # issue 15: household measures (DOMAIN B13)
    microcredit,  # issue 15: 小额信贷 (DOMAIN C.5, N-LOAN)
    monitoring,  # issue 15: 防返贫监测 (DOMAIN G.3, B44)
    notices,
    project_gates,
    reconcile,  # issue 4: books against the bank (K2c, K6b)
    seals,  # issue 17: audit trail (sealed periods, corrections)
)
from fupin.plugins import evidence as evidence_files  # issue 17: evidence files
from fupin.plugins.assets import depreciation

from fupin import collector, load_inputs, reads, session
from fupin.book import build_book, release
from fupin.engine import Results, Rule, run_rules
from fupin.findings import Finding, Severity
from fupin.transformations import KEEPS_ENTRIES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beancount.core import data

    from fupin.book import Book

#: one function: Beancount sorts the whole ledger after each (0.33 CPU-s at 300k entries),
#: so the depreciation (issue 3) is its first step rather than a plugin function of its own
__plugins__ = ("fupin_rules",)

#: Every rule family, in the order its findings are reported.
RULES: tuple[Rule, ...] = (
    *integrity.RULES,
    fund_shares.RULE,
    industry_share.RULE,
    earmark.RULE,
    project_gates.RULE,
    caps.RULE,
    notices.RULE,
    *flags_funds.RULES,
    *flags_claims.RULES,
    *flags_projects.RULES,
    *flags_assets.RULES,
    benefits.RULE,
    benefit_months.RULE,
    assets.RULE,
    reconcile.RULE,
    monitoring.RULE,
    measures.RULE,
    microcredit.RULE,
    budget.RULE,
    asset_returns.RULE,
    deductible.RULE,
    aggregates.RULE,
    *seals.RULES,
    *evidence_files.RULES,
)


def evaluate(book: Book, rules: Sequence[Rule] = RULES, *, keep_measures: bool = True) -> Results:
    """Run every rule over a book (what ``fupin check`` and the Fava pages call)."""
    return run_rules(book, rules, keep_measures=keep_measures)


def fupin_rules(
    entries: data.Directives, options_map: data.Options, config: str | None = None
) -> tuple[data.Directives, list[data.BeancountError]]:
    """The plugin: entries unchanged (or with the assets' depreciation), findings as errors.

    The book and results it builds are left for the caller that loaded the ledger
    (:mod:`fupin.session`): ``fupin check`` and the Fava pages use them as they are.
    """
    # our pass allocates many small objects; a full collection walks every entry again
    freeze = collector.outermost() and collector.freeze_once()
    with collector.paused(freeze=freeze), reads.recording() as read:
        entries, depreciation_errors = depreciation(entries, options_map)  # sorted, or as given
        measures = session.keep_measures()
        day = session.as_of()
        book = build_book(entries, options_map, as_of=day)
        results = evaluate(book, keep_measures=measures)
        session.publish(entries, book, results, measures, day)
        load_inputs.keep(options_map, read)  # what a watcher must watch (Fava)
        if load_inputs.through_beancount_cache():  # bean-check: the files the rules read
            load_inputs.extend(options_map, read.paths())
        if not session.wanted():
            release(book)  # nobody takes it: freed now, by reference counting
    keep_warnings = (config or "").strip().lower() == "warnings"
    errors = depreciation_errors + [
        _printable(f) for f in results.findings if keep_warnings or f.severity == Severity.ERROR
    ]
    return entries, errors


# sorted entries in, sorted entries out: fupin's own load sorts nothing after them
setattr(fupin_rules, KEEPS_ENTRIES, True)  # the very list it is given, or a new sorted one


def _printable(finding: Finding) -> Finding:
    """What Beancount's own printer gets: ``bean-check`` prints the entry under an error, so a
    PII finding ("号码不予显示") goes to it without its entry, the number never echoed; fupin's
    own commands and pages keep the finding whole (:mod:`fupin.session`)."""
    return finding._replace(entry=None) if finding.rule == "PII" else finding
