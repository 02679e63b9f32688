"""The business report: what IT does for the company's customers, in their terms.

The report is written for a colleague outside IT: customer outcomes with their volume
and value, what IT costs per unit of each outcome (and what it pays for that reaches no
customer or is not in use), what an hour without each service puts at risk in units and
money (and which stages of value streams it stops), how fast each service must be back,
what each agreement allows in customers' terms and whether it can be kept, the value
expected to be lost a year at today's reliability, where one failure stops everything,
what depends on one supplier, and the value traps found, each with the reason it matters.

It is made in three steps, one module each:

* figures — :func:`build_report` computes every number once, with the names a reader
  needs, into a frozen :class:`BusinessReport` (:meth:`BusinessReport.to_dict` gives
  them as JSON data);
* narrative — :func:`narrate` writes the words, section by section, into a
  :class:`Narrative` that any renderer can lay out;
* rendering — :func:`render_markdown` and :func:`render_html` (one self-contained page
  with a picture of the value graph) take the report alone.

Examples:
    >>> import itvalue
    >>> report = build_report(itvalue.example())
    >>> "| Payments | 14 orders fewer | about €575 |" in render_markdown(report)
    True
"""

from typing import TYPE_CHECKING, Any

from itvalue.report._figures import (
    AgreementLine,
    BusinessReport,
    OutcomeLine,
    RecoveryLine,
    ServiceRisk,
    StageStop,
    StrandedCost,
    SupplierRisk,
    build_report,
)
from itvalue.report._narrative import Group, Narrative, Section, Table, narrate
from itvalue.report._render import render_html, render_markdown
from itvalue.report._words import duration_text, money_text, units_text

if TYPE_CHECKING:
    from itvalue.report._case import case_to_dict, render_case_html, render_case_markdown

__all__ = [
    "AgreementLine",
    "BusinessReport",
    "Group",
    "Narrative",
    "OutcomeLine",
    "RecoveryLine",
    "Section",
    "ServiceRisk",
    "StageStop",
    "StrandedCost",
    "SupplierRisk",
    "Table",
    "build_report",
    "case_to_dict",
    "duration_text",
    "money_text",
    "narrate",
    "render_case_html",
    "render_case_markdown",
    "render_html",
    "render_markdown",
    "units_text",
]


def __getattr__(name: str) -> Any:
    # The business case is imported when first asked for: a report does not need it.
    if name in ("case_to_dict", "render_case_html", "render_case_markdown"):
        from itvalue.report import _case

        return getattr(_case, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
