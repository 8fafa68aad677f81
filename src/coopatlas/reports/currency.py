"""Dated currency conversion with the European Central Bank's euro foreign exchange reference rates.

Source: ECB, "Euro foreign exchange reference rates", historical file ``eurofxref-hist.zip``
(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html),
one rate per currency per TARGET business day since 1999-01-04, quoted as units of currency per euro.
A copy is shipped in ``reports/data`` (see ``reports/data/SOURCES.md`` and docs/methods/currency.md).

Method: an amount in currency A on date d is converted to currency B as ``amount / rate_A(d') *
rate_B(d')`` where d' is the latest ECB business day on or before d (the rates of one day, so the
cross rate is consistent). IATI says a value's ``value-date`` is the date "to be used for
determining the exchange rate"; callers pass it (else the transaction date). Amounts dated before the
first rate, or in a currency the ECB does not quote (and that is not pegged, below), are not converted
and are reported apart, never guessed.
"""

from __future__ import annotations

import bisect
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ECB_FILE = DATA_DIR / "ecb-eurofxref-hist.zip"
DEFAULT_CURRENCY = "USD"

#: Currencies pegged to the euro at a fixed parity (units per euro), which the ECB does not list:
#: CFA francs XOF and XAF (Council Decision 98/683/EC, 655.957 per euro), Comorian franc KMF
#: (Council Decision 98/683/EC, 491.96775), Cabo Verde escudo CVE (Council Decision 98/744/EC, 110.265).
EURO_PEGS: dict[str, Decimal] = {
    "XOF": Decimal("655.957"),
    "XAF": Decimal("655.957"),
    "KMF": Decimal("491.96775"),
    "CVE": Decimal("110.265"),
}


@dataclass(frozen=True)
class RateTable:
    """The ECB rates: business days in ascending order and, per currency, the rate of each day (or None).

    Columns are kept as text and turned into decimals the first time a currency is used.
    """

    days: tuple[date, ...]
    raw: dict[str, tuple[str, ...]]
    parsed: dict[str, tuple[Decimal | None, ...]] = field(default_factory=dict)

    @property
    def rates(self) -> dict[str, tuple[str, ...]]:
        return self.raw

    def column(self, currency: str) -> tuple[Decimal | None, ...] | None:
        """The rates of one currency, day by day (parsed once)."""
        if currency not in self.raw:
            return None
        if currency not in self.parsed:
            self.parsed[currency] = tuple(_rate(cell) for cell in self.raw[currency])
        return self.parsed[currency]

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]

    def currencies(self) -> list[str]:
        """Every currency a conversion can start from or go to (EUR, the quoted ones, the pegged ones)."""
        return sorted({"EUR", *self.rates, *EURO_PEGS})

    def per_euro(self, currency: str, on: date) -> tuple[Decimal, date] | None:
        """Units of ``currency`` per euro on the latest business day at or before ``on`` with a rate."""
        if currency == "EUR":
            return Decimal(1), on
        if currency in EURO_PEGS:
            return EURO_PEGS[currency], on
        column = self.column(currency)
        if column is None or on < self.first_day:
            return None
        index = bisect.bisect_right(self.days, on) - 1
        # A currency may lack a rate on a given day (not yet quoted, or withdrawn): look back.
        while index >= 0 and column[index] is None:
            index -= 1
        if index < 0:
            return None
        rate = column[index]
        return (rate, self.days[index]) if rate is not None else None


def read_ecb_file(path: Path = ECB_FILE) -> RateTable:
    """Parse the ECB historical CSV (zipped): ``Date,USD,JPY,...`` with "N/A" for missing rates."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv"))
        text = archive.read(name).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [column.strip() for column in next(reader)]
    currencies = [(i, code) for i, code in enumerate(header) if i and code]
    rows = sorted((r for r in reader if r and r[0].strip()), key=lambda r: r[0])
    days = tuple(date.fromisoformat(r[0].strip()) for r in rows)
    raw: dict[str, tuple[str, ...]] = {}
    for i, code in currencies:
        column = tuple(r[i].strip() if i < len(r) else "" for r in rows)
        if any(cell not in ("", "N/A") for cell in column):
            raw[code] = column
    return RateTable(days, raw)


def _rate(cell: str) -> Decimal | None:
    cell = cell.strip()
    return None if not cell or cell == "N/A" else Decimal(cell)


@cache
def ecb_rates() -> RateTable:
    """The shipped ECB rates, read once per process."""
    return read_ecb_file()


def convert(amount: Decimal, currency: str, on: date, target: str = DEFAULT_CURRENCY) -> Decimal | None:
    """``amount`` in ``currency`` on day ``on`` expressed in ``target`` (None when no rate applies)."""
    currency = (currency or "").upper()
    target = target.upper()
    if currency == target:
        return amount
    rate = factor(currency, on, target)
    return None if rate is None else amount * rate


@lru_cache(maxsize=100_000)
def factor(currency: str, on: date, target: str) -> Decimal | None:
    """Units of ``target`` per unit of ``currency`` on day ``on`` (cached: dashboards meet the same days often)."""
    table = ecb_rates()
    source = table.per_euro(currency, on)
    if source is None:
        return None
    # Rates of one day for both legs; a pegged or euro leg takes the other leg's day.
    day = source[1] if currency not in EURO_PEGS and currency != "EUR" else on
    goal = table.per_euro(target, day)
    if goal is None:
        return None
    return goal[0] / source[0]


def source_description() -> dict[str, str]:
    """Where the rates come from and which days they cover (shown under every money figure)."""
    table = ecb_rates()
    return {
        "name": "European Central Bank, euro foreign exchange reference rates",
        "url": "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html",
        "first_day": table.first_day.isoformat(),
        "last_day": table.last_day.isoformat(),
    }
