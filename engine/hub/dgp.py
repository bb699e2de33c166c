"""The payment-delay clock (délai global de paiement).

Public buyers must pay within a legal delay that runs from the DGP start the
lifecycle recorded: 30 days by default, longer for some structures (50 for
public hospitals), as each structure of the directory says: the TOML
directory's, else the national directory's (an establishment imported with
its delay, as a TOML directory's are; the PPF's extracts give none, so 30).
This module turns recorded starts into due dates and days left; it reads no
clock, the day is handed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from facteur.engine.hub import annuaire as national
from facteur.engine.hub.annuaire import Annuaire
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


def delay_days(directory: Directory, buyer: str, annuaire: Annuaire | None = None, on: date | None = None) -> int:
    """The buyer's delay: the TOML directory's structure's, else the
    establishment's in the national directory on `on` (the day the delay
    started), else the default."""
    structure = directory.structures.get(buyer)
    if structure is not None:
        return structure.payment_delay_days
    if annuaire is not None and on is not None:
        version = national.in_force(annuaire.history(national.ESTABLISHMENT, buyer), on)
        if version is not None:
            return int(version.data.get("payment_delay_days", DEFAULT_DELAY_DAYS))
    return DEFAULT_DELAY_DAYS


def clocks(invoices: list[DeliveredInvoice], directory: Directory, today: date,
           annuaire: Annuaire | None = None) -> list[Clock]:
    made = []
    annuaire = national.Remembered(annuaire) if annuaire is not None else None
    for invoice in invoices:
        started = invoice.dgp_start.date() if invoice.dgp_start else None
        days = delay_days(directory, invoice.invoice.buyer.identifier, annuaire, started or today)
        if started is None:
            made.append(Clock(invoice, days, None, None))
            continue
        due = started + timedelta(days=days)
        made.append(Clock(invoice, days, due, (due - today).days))
    return made
