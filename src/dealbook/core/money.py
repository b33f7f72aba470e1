"""Exact money: integer minor units + ISO currency in the database, Decimal in Python."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor-unit exponents of the currencies Dealbook accepts.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "EUR": 2,
    "HKD": 2,
    "GBP": 2,
    "SGD": 2,
    "TWD": 2,
    "JPY": 0,
    "KRW": 0,
}
CURRENCIES = tuple(CURRENCY_EXPONENTS)
DEFAULT_CURRENCY = "CNY"


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ValueError(f"Unsupported currency {currency!r}.") from None


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal major units → integer minor units; refuses amounts finer than the currency allows."""
    scale = Decimal(10) ** exponent(currency)
    scaled = amount * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{amount} has more decimal places than {currency} allows ({exponent(currency)})."
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    # Moving the decimal point of a whole number: exact, with the currency's places.
    return Decimal(minor).scaleb(-exponent(currency))


def round_to_currency(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
