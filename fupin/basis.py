"""The 依据 of each rule as people read it: documents' titles and 文号, not citation codes.

``Rule.source`` holds the codes the rules cite (``N-FUND2021 (负面清单)``, ``seed 002``);
:func:`fupin.citations.format_source` turns them into the documents. A code the table does
not know (a county's own rule) is shown as written rather than failing the page.
"""

from __future__ import annotations

from functools import cache

from fupin.citations import UnknownCitation, format_source


def basis(source: str) -> str:
    """``source`` as its documents' titles and numbers (as written when unknown)."""
    try:
        return format_source(source)
    except UnknownCitation:
        return source


@cache
def rule_basis() -> dict[str, str]:
    """Each rule id's 依据, for every rule family in the registry."""
    from fupin.plugins import RULES

    return {rule_id: basis(rule.source) for rule in RULES for rule_id in rule.ids}
