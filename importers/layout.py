"""Bank-statement layouts: which column holds what, as data (``presets/<name>.toml``).

A layout names the columns of one bank's export; the header row is found by those names,
wherever it sits below the title rows. Either ``debit``/``credit`` (split, both positive)
or ``amount`` (one signed column, outflows negative) is given. A county adds a bank by
writing one more TOML file; the shipped presets are ``rcb`` (县农商行, GBK CSV), ``icbc``
(工商银行, UTF-8 CSV), ``ccb`` (建设银行, .xls) and ``abc`` (农业银行, .xlsx).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

PRESETS_DIR = Path(__file__).resolve().parent / "presets"


class LayoutError(Exception):
    """A layout file that does not validate (names the file and the field)."""


class Layout(BaseModel):
    """The columns and formats of one bank's statement export."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    bank: str
    formats: tuple[str, ...] = (".csv",)
    encoding: str = "utf-8"
    sheet: int | str = 0
    date: str
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    serial: str
    debit: str | None = None
    credit: str | None = None
    amount: str | None = None
    balance: str | None = None
    counterparty: str
    memo: tuple[str, ...] = ()
    #: columns that identify the layout but are never written (counter-party accounts)
    private: tuple[str, ...] = ()
    currency: str = "CNY"

    @model_validator(mode="after")
    def _one_amount_style(self) -> Self:
        split = self.debit is not None and self.credit is not None
        if split == (self.amount is not None) or (self.debit is None) != (self.credit is None):
            raise ValueError("give either debit and credit, or amount (signed)")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the header row must hold."""
        named = (self.date, self.serial, self.debit, self.credit, self.amount, self.balance)
        return tuple(c for c in (*named, self.counterparty, *self.memo, *self.private) if c)


def load_layout(source: str | Path) -> Layout:
    """A preset by name (``"rcb"``) or a layout TOML file by path."""
    path = Path(source)
    if not path.suffix:
        path = PRESETS_DIR / f"{source}.toml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.toml")))
            raise LayoutError(f"unknown bank layout {source!r} (presets: {known})")
    try:
        return Layout.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "layout"
        raise LayoutError(f"{path}: {field}: {first['msg']}") from None


def presets() -> dict[str, Layout]:
    """Every shipped preset, by name."""
    return {p.stem: load_layout(p) for p in sorted(PRESETS_DIR.glob("*.toml"))}
