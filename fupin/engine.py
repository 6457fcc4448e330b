"""The rule engine: run every registered rule once over one :class:`~fupin.book.Book`.

A rule is a plain function ``(book) -> Iterator[Measure | Finding]`` registered once, with
its id and citation, in :data:`fupin.plugins.RULES`. The engine never lets a rule's bug
become a loader crash: an exception is turned into one error naming the rule.
"""

from __future__ import annotations

import operator
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from fupin.findings import Finding, Measure, Severity, breach_message
from fupin.messages_zh import mask_personal

if TYPE_CHECKING:
    from beancount.core.data import Directive, Meta

    from fupin.book import Book

Item = Measure | Finding
COMPARE = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
RuleFunc = Callable[["Book"], Iterable[Item]]


@dataclass(frozen=True)
class Rule:
    """A registered rule family: ids it reports, its Chinese title, its citation."""

    ids: tuple[str, ...]
    title: str
    source: str
    func: RuleFunc


@dataclass
class Results:
    """Everything the rules said about one book."""

    measures: list[Measure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != Severity.ERROR]


class InternalError(Finding):
    """A rule that raised: a bug in fupin, reported instead of crashing the load."""

    __slots__ = ()


def run_rules(book: Book, rules: Sequence[Rule], *, keep_measures: bool = True) -> Results:
    """Run each rule once; entity and policy errors of the book come first.

    The plugin passes ``keep_measures=False``: Beancount needs the findings only, and not
    holding every compliance row keeps the load's peak memory down.
    """
    results = Results(findings=list(book.errors))
    token = _KEEP.set(keep_measures)
    try:
        _run(book, rules, results, keep_measures)
    finally:
        _KEEP.reset(token)
    results.findings[:] = map(_masked, results.findings)
    return results


def _masked(finding: Finding) -> Finding:
    """The finding with any personal number in its message replaced by its kind: a rule
    that quotes the ledger's text (a sealed narration that was changed, a name) never
    prints an ID-card, mobile or bank-card number (PII reports the number's place)."""
    masked = mask_personal(finding.message)
    return finding if masked == finding.message else finding._replace(message=masked)


def _run(book: Book, rules: Sequence[Rule], results: Results, keep_measures: bool) -> None:
    measures, findings = results.measures, results.findings
    for rule in rules:
        try:
            for item in rule.func(book):
                if type(item) is Measure:
                    if keep_measures:
                        measures.append(item)
                else:
                    findings.append(item)  # type: ignore[arg-type]
        except Exception:  # a bug must not cost the user every other finding
            tail = traceback.format_exc(limit=-3).strip().replace("\n", "\n  ")
            results.findings.append(
                InternalError(
                    {"filename": "<fupin.plugins>", "lineno": 0},
                    f"{rule.ids[0]} error: internal error in rule {rule.func.__name__}: {tail}",
                    None,
                    rule=rule.ids[0],
                )
            )


#: whether the measures of passing checks are wanted (off in the plugin, where Beancount
#: needs the findings only): :func:`check` then builds no row for a comparison that holds
_KEEP: ContextVar[bool] = ContextVar("fupin_keep_measures", default=True)


def measures_wanted() -> bool:
    """Whether this run keeps the measures of passing checks (False in the plugin): a rule
    that yields statistics only (no finding) may then skip its work."""
    return _KEEP.get()


def check(
    error: type[Finding],
    *,
    rule: str,
    title: str,
    scope: str,
    value: Decimal | int,
    op: str,
    threshold: Decimal | int,
    severity: str = Severity.ERROR,
    unit: str = "money",
    policy_key: str = "",
    entity: str = "",
    label: str = "",
    inputs: str = "",
    note: str = "",
    meta: Meta | None = None,
    entry: Directive | None = None,
    tolerance: Decimal | None = None,
    report: bool = True,
    year: int | None = None,
) -> Iterator[Item]:
    """Yield the measure of ``value <op> threshold`` and, if it fails, its finding.

    ``report=False`` yields the measure only: for a summary row whose breaches the rule
    already reported one by one.
    """
    if tolerance is not None and op == "==":
        ok = abs(Decimal(value) - Decimal(threshold)) <= tolerance
    else:
        ok = bool(COMPARE[op](value, threshold))
    if ok and not _KEEP.get():
        return
    source = meta if meta is not None else (entry.meta if entry is not None else None)
    measure = Measure(
        rule,
        title,
        scope,
        value,
        op,
        threshold,
        ok,
        str(severity),
        unit,
        policy_key,
        entity,
        source,
        note,
        year,
    )
    yield measure
    if not ok and report:
        yield error(
            source or {"filename": "<fupin>", "lineno": 0},
            breach_message(measure, label, inputs),
            entry,
            rule=rule,
            severity=str(severity),
            value=value,
            threshold=threshold,
            entity=entity,
            policy_key=policy_key,
        )


def finding(
    error: type[Finding],
    rule: str,
    text: str,
    entry: Directive,
    *,
    severity: str = Severity.ERROR,
    entity: str = "",
    policy_key: str = "",
    value: Decimal | int | str = "",
    threshold: Decimal | int | str = "",
) -> Finding:
    """A finding that is not a measured comparison (a missing field, a wrong order)."""
    return error(
        entry.meta,
        f"{rule} {severity}: {text}",
        entry,
        rule=rule,
        severity=str(severity),
        value=value,
        threshold=threshold,
        entity=entity,
        policy_key=policy_key,
    )
