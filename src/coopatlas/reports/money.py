"""Sums of money converted to the dashboard's currency, and what could not be converted (by currency)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopatlas.reports import currency

MONEY_PLACES = Decimal("0.01")


@dataclass
class Money:
    """Sums converted to the dashboard's currency, and what could not be converted (by currency)."""

    converted: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    def add(self, amount: Decimal, code: str, on: date | None, target: str) -> None:
        """Convert ``amount`` (in ``code``, dated ``on``) and add it, or keep it apart when no rate applies."""
        value = currency.convert(amount, code, on, target) if on is not None else None
        if value is None:
            key = code or "?"
            self.unconverted[key] = self.unconverted.get(key, Decimal(0)) + amount
        else:
            self.converted += value

    @property
    def rounded(self) -> Decimal:
        return self.converted.quantize(MONEY_PLACES)
