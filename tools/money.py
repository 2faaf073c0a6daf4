"""Amounts in several currencies, compared in one: a dated table of exchange rates.

Autonomy limits are written in one currency (`RateTable.currency`); a compensation owed
in CAD, a ticket in GBP or an interline fare estimated in EUR is converted at the table's
rates before it is compared, and shown with both amounts, so that "CAD 700 against a
limit of 600" is never compared as plain numbers. The table is dated: the rates of a day,
set by the operator (e.g. the ECB's euro reference rates of that day). A currency the
table lacks cannot be compared; the caller treats it as above every limit (a human
decides) rather than guess.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["RateTable", "UnknownCurrencyError"]


class UnknownCurrencyError(LookupError):
    """The rate table has no rate for a currency."""


class RateTable(BaseModel):
    """How many units of each currency one unit of `currency` buys, on `as_of`."""

    model_config = ConfigDict(frozen=True)

    currency: str = Field(
        default="EUR", pattern=r"^[A-Z]{3}$", description="the currency limits are written in"
    )
    as_of: date = Field(default=date(2026, 3, 2), description="the day the rates are of")
    rates: dict[str, float] = Field(
        default_factory=lambda: {
            # Approximate euro reference rates (units per 1 EUR); set the day's own in
            # TRAVEL_AGENT_AGENT__APPROVALS__MONEY__RATES and __AS_OF.
            "GBP": 0.86,
            "USD": 1.08,
            "CAD": 1.47,
            "CHF": 0.94,
            "SEK": 11.2,
            "NOK": 11.6,
            "DKK": 7.46,
            "PLN": 4.27,
            "CZK": 25.1,
            "HUF": 395.0,
        },
        description="units of each currency that one unit of `currency` buys",
    )

    @field_validator("rates")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(code for code, rate in value.items() if not rate > 0)
        if bad:
            raise ValueError(f"rates must be positive: {', '.join(bad)}")
        return value

    def rate(self, currency: str) -> float:
        """Units of `currency` per unit of the table's currency.

        Raises:
            UnknownCurrencyError: the table has no rate for it.
        """
        if currency == self.currency:
            return 1.0
        try:
            return self.rates[currency]
        except KeyError:
            raise UnknownCurrencyError(
                f"no {currency} rate in the table of {self.as_of} (base {self.currency})"
            ) from None

    def convert(self, cents: int, currency: str) -> int:
        """`cents` of `currency` in cents of the table's currency, rounded.

        Raises:
            UnknownCurrencyError: the table has no rate for `currency`.
        """
        return round(cents / self.rate(currency))

    def from_base(self, cents: int, currency: str) -> int:
        """`cents` of the table's currency in cents of `currency`."""
        return round(cents * self.rate(currency))

    def both(self, cents: int, currency: str) -> str:
        """Both amounts, as an operator reads them: ``700.00 CAD (≈ 476.19 EUR, rates of
        2026-03-02)``; the amount alone when it is in the table's currency or unknown."""
        shown = f"{cents / 100:.2f} {currency}"
        if currency == self.currency:
            return shown
        try:
            converted = self.convert(cents, currency)
        except UnknownCurrencyError:
            return f"{shown} (no rate to {self.currency})"
        return f"{shown} (≈ {converted / 100:.2f} {self.currency}, rates of {self.as_of})"
