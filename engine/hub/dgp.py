"""The payment-delay clock (délai global de paiement).

Public buyers must pay within a legal delay that runs from the DGP start the
lifecycle recorded: 30 days by default, longer for some structures (50 for
public hospitals), as each structure of the directory says. This module turns
recorded starts into due dates and days left; it reads no clock, the day is
handed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from facteur.engine.hub.directory import Directory
from facteur.engine.runtime.ledger import DeliveredInvoice
from facteur.engine.statuses import FINAL

DEFAULT_DELAY_DAYS = 30


@dataclass(frozen=True)
class Clock:
    invoice: DeliveredInvoice
    delay_days: int
    due: date | None  # None while the delay has not started
    days_left: int | None

    @property
    def overdue(self) -> bool:
        """Past due with no payment status (rejected invoices owe nothing)."""
        return self.days_left is not None and self.days_left < 0 and self.invoice.state not in FINAL


def delay_days(directory: Directory, buyer: str) -> int:
    structure = directory.structures.get(buyer)
    return structure.payment_delay_days if structure else DEFAULT_DELAY_DAYS


def clocks(invoices: list[DeliveredInvoice], directory: Directory, today: date) -> list[Clock]:
    made = []
    for invoice in invoices:
        days = delay_days(directory, invoice.invoice.buyer.identifier)
        if invoice.dgp_start is None:
            made.append(Clock(invoice, days, None, None))
            continue
        due = invoice.dgp_start.date() + timedelta(days=days)
        made.append(Clock(invoice, days, due, (due - today).days))
    return made
