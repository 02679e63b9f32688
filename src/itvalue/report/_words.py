"""How amounts, units and spans of time read in the report: the one home of each phrasing.

Everything here is plain text, the same for every rendering. The singular of a unit is
made by a small rule (:func:`singular`) rather than a dictionary: units are whatever a
document calls them ("orders", "boxes", "calls"), and the rule covers the regular plurals
of English. A unit it does not recognise as plural is left as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from itvalue.model import Period

__all__ = [
    "all_of",
    "duration_text",
    "either",
    "money_text",
    "outage_span",
    "per_period",
    "singular",
    "units_lost_text",
    "units_text",
]

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

# Plural endings whose singular drops "es" rather than "s": boxes, batches, wishes, passes.
_ES_ENDINGS = ("xes", "ches", "shes", "sses", "zzes")
# Words that end in "s" but are not plurals of a word without it: gloss, status, analysis.
_NOT_PLURAL_ENDINGS = ("ss", "us", "is")


def money_text(amount: float, currency: str, *, about: bool = False, cents: bool = False) -> str:
    """``575.34, "EUR"`` -> ``€575`` (``about €575`` with ``about=True``).

    Amounts under 10 that are not whole, or any amount with ``cents=True``, keep two
    decimals.

    Examples:
        >>> money_text(575.34, "EUR", about=True)
        'about €575'
        >>> money_text(1234567, "CHF")
        '1,234,567 CHF'
    """
    digits = 2 if cents or (abs(amount) < 10 and amount != int(amount)) else 0
    number = f"{amount:,.{digits}f}"
    symbol = _SYMBOLS.get(currency)
    text = f"{symbol}{number}" if symbol else f"{number} {currency}"
    return f"about {text}" if about else text


def singular(unit: str) -> str:
    """The singular of a unit named in the plural, by the regular rules of English.

    ``-ies`` becomes ``-y``; ``-xes``, ``-ches``, ``-shes``, ``-sses`` and ``-zzes`` drop
    ``es``; any other ``-s`` is dropped, except after ``s``, ``u`` or ``i`` (``gloss``,
    ``status``, ``analysis``). Anything else is returned unchanged. Only the last word
    changes ("orders shipped" stays as it is; "bank transfers" becomes "bank transfer").

    Examples:
        >>> [singular(u) for u in ("orders", "boxes", "batches", "deliveries", "kWh")]
        ['order', 'box', 'batch', 'delivery', 'kWh']
    """
    head, space, word = unit.rpartition(" ")
    lower = word.lower()
    if len(word) > 3 and lower.endswith("ies"):
        word = word[:-3] + ("Y" if word[-3:].isupper() else "y")
    elif lower.endswith(_ES_ENDINGS):
        word = word[:-2]
    elif len(word) > 1 and lower.endswith("s") and not lower.endswith(_NOT_PLURAL_ENDINGS):
        word = word[:-1]
    return head + space + word


def units_text(amount: float, unit: str) -> str:
    """A count of units, rounded the way people say it: ``10,000 orders``, ``0.6 calls``.

    Ten or more, and whole numbers, read without decimals; smaller amounts with one. An
    amount that reads as exactly one takes the singular (``1 box``); a positive amount
    too small to show reads ``under 0.1``, never ``0.0``.

    Examples:
        >>> units_text(13.7, "orders"), units_text(0.64, "calls"), units_text(1, "boxes")
        ('14 orders', '0.6 calls', '1 box')
        >>> units_text(0.02, "batches")
        'under 0.1 batches'
    """
    if 0 < amount < 0.05:
        return f"under 0.1 {unit}"
    number = f"{amount:,.0f}" if amount >= 10 or amount == int(amount) else f"{amount:,.1f}"
    return f"{number} {singular(unit) if number == '1' else unit}"


def units_lost_text(by_unit: Mapping[str, float]) -> str:
    """Units lost, one phrase per unit: ``14 orders fewer, 0.6 calls fewer``."""
    return ", ".join(f"{units_text(amount, unit)} fewer" for unit, amount in by_unit.items())


def per_period(period: Period) -> str:
    """``an hour``, ``a month``: how often a volume recurs."""
    return "an hour" if period is Period.HOUR else f"a {period.value}"


def outage_span(hours: float) -> str:
    """``an hour`` or ``4 hours``: the length of an outage."""
    return "an hour" if hours == 1 else f"{hours:g} hours"


def duration_text(hours: float) -> str:
    """How long something takes, the way people say it: ``4 hours``, ``4.4 hours``.

    Under an hour reads in minutes (``30 minutes``); an amount that reads as exactly one
    takes the singular (``1 hour``), as :func:`units_text` does.

    Examples:
        >>> duration_text(4), duration_text(4 / 0.9), duration_text(0.5), duration_text(1)
        ('4 hours', '4.4 hours', '30 minutes', '1 hour')
    """
    if hours < 1:
        minutes = round(hours * 60)
        if minutes < 1:
            return "less than a minute"
        return units_text(minutes, "minutes")
    return units_text(hours, "hours")


def either(names: Sequence[str]) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    return _listing(names, "or")


def all_of(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return _listing(names, "and")


def _listing(names: Sequence[str], last: str) -> str:
    if len(names) <= 2:
        return f" {last} ".join(names)
    return ", ".join(names[:-1]) + f" {last} " + names[-1]
